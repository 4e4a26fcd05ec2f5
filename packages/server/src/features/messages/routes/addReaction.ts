/**
 * PUT /.p2/chat/v1/channels/{channelId}/messages/{messageId}/reactions/{emoji} {envelope, signature}
 * (kind chat.reaction, body {messageId, emoji}; ADD_REACTIONS) → 201 Reaction, or 200 when the caller
 * had already reacted with it.
 */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { Reaction, ReactionParams, SignedWrite } from "../schemas.js";
import type { MessageService } from "../service.js";

export function addReaction(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.put(
    "/.p2/chat/v1/channels/:channelId/messages/:messageId/reactions/:emoji",
    {
      schema: {
        tags: ["Chat"],
        summary: "React to a message with a signed chat.reaction",
        security: bearerSecurity,
        params: ReactionParams,
        body: SignedWrite,
        response: {
          200: Reaction,
          201: Reaction,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          413: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const { channelId, messageId, emoji } = request.params;
      const { created, value } = await messages.addReaction(
        sessionOf(request),
        channelId,
        messageId,
        emoji,
        request.body,
      );
      return reply.code(created ? 201 : 200).send(value);
    },
  );
}
