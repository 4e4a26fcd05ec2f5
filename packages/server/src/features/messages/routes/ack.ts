/**
 * POST /.p2/chat/v1/channels/{channelId}/ack {messageId} → 200 ReadState; ReadStateUpdate (chat op 19)
 * to the caller's own sessions. Backwards is allowed ("mark unread").
 */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { AckBody, ChannelParams, ReadState } from "../schemas.js";
import type { MessageService } from "../service.js";

export function ack(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.post(
    "/.p2/chat/v1/channels/:channelId/ack",
    {
      schema: {
        tags: ["Chat"],
        summary: "Mark a channel read up to a message",
        security: bearerSecurity,
        params: ChannelParams,
        body: AckBody,
        response: { 200: ReadState, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
      preHandler: requireSession(sessions),
    },
    async (request) => messages.ack(sessionOf(request), request.params.channelId, request.body.messageId),
  );
}
