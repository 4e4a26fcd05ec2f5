/** PUT /.p2/chat/v1/channels/{channelId}/pins/{messageId} → 204 (MANAGE_MESSAGES; at most 50 pins). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { MessageParams } from "../schemas.js";
import type { MessageService } from "../service.js";

export function pinMessage(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.put(
    "/.p2/chat/v1/channels/:channelId/pins/:messageId",
    {
      schema: {
        tags: ["Chat"],
        summary: "Pin a message (MANAGE_MESSAGES)",
        security: bearerSecurity,
        params: MessageParams,
        response: {
          204: Type.Null({ description: "pinned (or already was)" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      await messages.pin(sessionOf(request), request.params.channelId, request.params.messageId);
      return reply.code(204).send(null);
    },
  );
}
