/**
 * GET /.p2/chat/v1/users/@me/read-states → 200 ReadState[]: the channels the caller acknowledged or
 * was mentioned in by FID and still sees, with unread and mention counts.
 */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { ReadState } from "../schemas.js";
import type { MessageService } from "../service.js";

export function readStates(app: FeatureApp, messages: MessageService, sessions: SessionService): void {
  app.get(
    "/.p2/chat/v1/users/@me/read-states",
    {
      schema: {
        tags: ["Chat"],
        summary: "The caller's read states with unread and mention counts",
        security: bearerSecurity,
        response: { 200: Type.Array(ReadState), 401: ErrorBody },
      },
      preHandler: requireSession(sessions),
    },
    async (request) => messages.readStates(sessionOf(request)),
  );
}
