/** DELETE /.p2/core/v1/session?session_id (sensitive) → 204: revokes the cert and its token. */
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
import { SessionQuery } from "../schemas.js";
import type { CoreService } from "../service.js";

export function revokeSession(
  app: FeatureApp,
  core: CoreService,
  sessions: SessionService,
  accounts: AccountService,
): void {
  app.delete(
    "/.p2/core/v1/session",
    {
      schema: {
        tags: ["Core", "Sensitive"],
        summary: "Revoke one of the caller's sessions (its ID-Cert and token)",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        querystring: SessionQuery,
        response: {
          204: Type.Null({ description: "revoked" }),
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: [requireSession(sessions, { localOnly: true }), requireSensitive(accounts)],
    },
    async (request, reply) => {
      await core.revokeSession(sessionOf(request), request.query.session_id);
      return reply.code(204).send(null);
    },
  );
}
