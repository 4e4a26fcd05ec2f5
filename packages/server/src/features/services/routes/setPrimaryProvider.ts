/** PUT /.p2/core/v1/services/primary {name, url} (sensitive) → 200 [previous?, current] [core §9.1.1]. */
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
import { Service, SetPrimaryBody } from "../schemas.js";
import type { ServiceDiscovery } from "../service.js";

export function setPrimaryProvider(
  app: FeatureApp,
  discovery: ServiceDiscovery,
  sessions: SessionService,
  accounts: AccountService,
): void {
  app.put(
    "/.p2/core/v1/services/primary",
    {
      schema: {
        tags: ["Services", "Sensitive"],
        summary: "Make a registered provider the caller's primary provider of its service",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        body: SetPrimaryBody,
        response: {
          200: Type.Array(Service, {
            minItems: 1,
            maxItems: 2,
            description: "the previous primary (when it changed), then the new one",
          }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: [requireSession(sessions, { localOnly: true }), requireSensitive(accounts)],
    },
    async (request) => discovery.setPrimary(sessionOf(request), request.body.name, request.body.url),
  );
}
