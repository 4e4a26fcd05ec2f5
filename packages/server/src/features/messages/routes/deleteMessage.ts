/** DELETE /.p2/chat/v1/channels/{channelId}/messages/{messageId} → 204 (the author, or MANAGE_MESSAGES). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { MessageParams } from "../schemas.js";
import type { MessageService } from "../service.js";

export function deleteMessage(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.delete(
    "/.p2/chat/v1/channels/:channelId/messages/:messageId",
    {
      schema: {
        tags: ["Chat"],
        summary: "Delete a message (its author, or a member with MANAGE_MESSAGES)",
        security: bearerSecurity,
        params: MessageParams,
        response: {
          204: Type.Null({ description: "deleted" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      await messages.delete(sessionOf(request), request.params.channelId, request.params.messageId);
      return reply.code(204).send(null);
    },
  );
}
