/** POST /.p2/core/v1/key/server (admin, sensitive) → 200 text/plain: the new root cert PEM. */
import { Type } from "typebox";
import {
  bearerSecurity,
  requireSensitive,
  requireSession,
  SensitiveHeaders,
  sessionOf,
} from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { AccountService } from "../../auth/service.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { CoreService } from "../service.js";

export function rotateServerKey(
  app: FeatureApp,
  core: CoreService,
  sessions: SessionService,
  accounts: AccountService,
): void {
  app.post(
    "/.p2/core/v1/key/server",
    {
      schema: {
        tags: ["Core", "Sensitive"],
        summary: "Rotate the server's root key (administrators)",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        response: {
          200: Type.String({ description: "the new root ID-Cert, PEM" }),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
      preHandler: [requireSession(sessions, { localOnly: true }), requireSensitive(accounts)],
    },
    async (request, reply) => reply.type("text/plain").send(await core.rotateServerKey(sessionOf(request))),
  );
}
