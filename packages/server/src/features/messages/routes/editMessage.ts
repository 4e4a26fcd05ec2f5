/**
 * PATCH /.p2/chat/v1/channels/{channelId}/messages/{messageId} {envelope, signature} (kind
 * chat.edit, the author only) → 201 Message with `edit`, or 200 when this edit is already stored.
 */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { jsonText, messageJson } from "../messageJson.js";
import { Message, MessageParams, SignedWrite } from "../schemas.js";
import type { MessageService } from "../service.js";

export function editMessage(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.patch(
    "/.p2/chat/v1/channels/:channelId/messages/:messageId",
    {
      schema: {
        tags: ["Chat"],
        summary: "Edit one's own message with a signed chat.edit",
        security: bearerSecurity,
        params: MessageParams,
        body: SignedWrite,
        response: {
          200: Message,
          201: Message,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          413: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const { channelId, messageId } = request.params;
      const { created, value } = await messages.edit(sessionOf(request), channelId, messageId, request.body);
      return reply
        .code(created ? 201 : 200)
        .type("application/json; charset=utf-8")
        .send(jsonText(messageJson(value.record, value.reactions)));
    },
  );
}
