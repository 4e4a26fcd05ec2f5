/**
 * DELETE /.p2/chat/v1/channels/{channelId}/messages/{messageId}/reactions/{emoji}[?fid] → 204: the
 * caller's own reaction, or another actor's with MANAGE_MESSAGES. Removing what is not there is 204 too.
 */
import { parseFederationId } from "@p2chat/polyproto";
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { ReactionParams, RemoveReactionQuery } from "../schemas.js";
import type { MessageService } from "../service.js";

export function removeReaction(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.delete(
    "/.p2/chat/v1/channels/:channelId/messages/:messageId/reactions/:emoji",
    {
      schema: {
        tags: ["Chat"],
        summary: "Remove a reaction (one's own, or another actor's with MANAGE_MESSAGES)",
        security: bearerSecurity,
        params: ReactionParams,
        querystring: RemoveReactionQuery,
        response: {
          204: Type.Null({ description: "not there (any more)" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const { channelId, messageId, emoji } = request.params;
      const fid = request.query.fid === undefined ? undefined : parseFederationId(request.query.fid).fid;
      await messages.removeReaction(sessionOf(request), channelId, messageId, emoji, fid);
      return reply.code(204).send(null);
    },
  );
}
