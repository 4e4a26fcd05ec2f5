/** GET /.p2/chat/v1/channels/{channelId}/pins → 200 Message[], most recently pinned first (READ_MESSAGE_HISTORY). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { jsonText, messageListJson } from "../messageJson.js";
import { ChannelParams, MessageList } from "../schemas.js";
import type { MessageService } from "../service.js";

export function listPins(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.get(
    "/.p2/chat/v1/channels/:channelId/pins",
    {
      schema: {
        tags: ["Chat"],
        summary: "A channel's pinned messages",
        security: bearerSecurity,
        params: ChannelParams,
        response: { 200: MessageList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const pins = await messages.pins(sessionOf(request), request.params.channelId);
      return reply.type("application/json; charset=utf-8").send(jsonText(messageListJson(pins)));
    },
  );
}
