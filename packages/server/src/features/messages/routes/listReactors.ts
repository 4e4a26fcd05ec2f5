/**
 * GET /.p2/chat/v1/channels/{channelId}/messages/{messageId}/reactions/{emoji}?limit&after → 200
 * [{fid, envelope, signature, createdAt}] by FID (READ_MESSAGE_HISTORY): who reacted, with the signed
 * reactions, so clients can verify them as they verify messages.
 */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { jsonText } from "../messageJson.js";
import type { SessionService } from "../../sessions/service.js";
import { ReactionParams, Reactor, ReactorsQuery } from "../schemas.js";
import type { MessageService } from "../service.js";

export function listReactors(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.get(
    "/.p2/chat/v1/channels/:channelId/messages/:messageId/reactions/:emoji",
    {
      schema: {
        tags: ["Chat"],
        summary: "Who reacted to a message with an emoji, with their signed reactions",
        security: bearerSecurity,
        params: ReactionParams,
        querystring: ReactorsQuery,
        response: {
          200: Type.Array(Reactor),
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
      const reactors = await messages.reactors(
        sessionOf(request),
        channelId,
        messageId,
        emoji,
        request.query,
      );
      const json = reactors.map(
        (r) =>
          `{"fid":${JSON.stringify(r.fid)},"envelope":${r.envelope},"signature":${JSON.stringify(r.signature)},"createdAt":${r.createdAt}}`,
      );
      return reply.type("application/json; charset=utf-8").send(jsonText(`[${json.join(",")}]`));
    },
  );
}
