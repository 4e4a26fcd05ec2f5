/** POST /.p2/chat/v1/channels/{channelId}/typing → 204; TypingStart (chat op 9) to the channel (SEND_MESSAGES). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { ChannelParams } from "../schemas.js";
import type { MessageService } from "../service.js";

export function typing(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.post(
    "/.p2/chat/v1/channels/:channelId/typing",
    {
      schema: {
        tags: ["Chat"],
        summary: "Tell the channel the caller is typing",
        security: bearerSecurity,
        params: ChannelParams,
        response: {
          204: Type.Null({ description: "announced" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      await messages.typing(sessionOf(request), request.params.channelId);
      return reply.code(204).send(null);
    },
  );
}
