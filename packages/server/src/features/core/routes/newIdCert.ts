/** POST /.p2/core/v1/idcert (sensitive), body: the CSR PEM as text/plain → 201 {id_cert, token}. */
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
import { NewIdCertResponse } from "../schemas.js";
import type { CoreService } from "../service.js";

export function newIdCert(
  app: FeatureApp,
  core: CoreService,
  sessions: SessionService,
  accounts: AccountService,
): void {
  app.post(
    "/.p2/core/v1/idcert",
    {
      schema: {
        tags: ["Core", "Sensitive"],
        summary: "A new ID-Cert (and token) for another session of the caller",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        body: Type.String({ minLength: 1, maxLength: 16384, description: "ID-CSR, PEM (text/plain)" }),
        response: { 201: NewIdCertResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
      preHandler: [requireSession(sessions, { localOnly: true }), requireSensitive(accounts)],
    },
    async (request, reply) => reply.code(201).send(await core.newIdCert(sessionOf(request), request.body)),
  );
}
