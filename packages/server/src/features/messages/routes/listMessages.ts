/**
 * GET /.p2/chat/v1/channels/{channelId}/messages?limit&before&after&around → 200 Message[], newest
 * first (READ_MESSAGE_HISTORY; limit 1–100, default 50; at most one of before/after/around).
 */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { jsonText, messageListJson } from "../messageJson.js";
import { ChannelParams, HistoryQuery, MessageList } from "../schemas.js";
import type { MessageService } from "../service.js";

export function listMessages(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.get(
    "/.p2/chat/v1/channels/:channelId/messages",
    {
      schema: {
        tags: ["Chat"],
        summary: "A page of a channel's history, newest first",
        security: bearerSecurity,
        params: ChannelParams,
        querystring: HistoryQuery,
        response: { 200: MessageList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const page = await messages.history(sessionOf(request), request.params.channelId, request.query);
      return reply.type("application/json; charset=utf-8").send(jsonText(messageListJson(page)));
    },
  );
}
