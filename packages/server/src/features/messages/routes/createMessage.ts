/**
 * POST /.p2/chat/v1/channels/{channelId}/messages {envelope, signature} → 201 Message, or 200 with
 * the stored Message for a repeated (author, nonce) (PROFILE §6, §7.1). Rate limited per actor and
 * channel (PROFILE §4: 5 messages / 5 s).
 */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { jsonText, messageJson } from "../messageJson.js";
import { ChannelParams, Message, SignedWrite } from "../schemas.js";
import type { MessageService } from "../service.js";

export function createMessage(
  app: FeatureApp,
  messages: MessageService,
  sessions: SessionService,
  limiter: RateLimiter,
): void {
  app.post(
    "/.p2/chat/v1/channels/:channelId/messages",
    {
      schema: {
        tags: ["Chat"],
        summary: "Send a signed message (kind chat.message) to a channel",
        security: bearerSecurity,
        params: ChannelParams,
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
          429: ErrorBody,
        },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(limiter, (request) => {
          const { channelId } = request.params as { channelId: string };
          return `${sessionOf(request).fid}\n${channelId}`;
        }),
      ],
    },
    async (request, reply) => {
      const { created, value } = await messages.create(
        sessionOf(request),
        request.params.channelId,
        request.body,
      );
      return reply
        .code(created ? 201 : 200)
        .type("application/json; charset=utf-8")
        .send(jsonText(messageJson(value.record, value.reactions)));
    },
  );
}
