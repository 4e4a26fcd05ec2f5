/** PUT /.p2/core/v1/session/idcert/extern, body: a changed or revoked cert of the caller, PEM → 201. */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { ExternIdCertBody } from "../schemas.js";
import type { ForeignService } from "../service.js";

export function externIdCert(app: FeatureApp, foreign: ForeignService, sessions: SessionService): void {
  app.put(
    "/.p2/core/v1/session/idcert/extern",
    {
      schema: {
        tags: ["Core"],
        summary: "Tell this server that one of the caller's ID-Certs changed or was revoked",
        security: bearerSecurity,
        body: ExternIdCertBody,
        response: {
          201: Type.Null({ description: "checked with the home server; a revoked cert's token ended" }),
          400: ErrorBody,
          401: ErrorBody,
          502: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      await foreign.updateExternCert(sessionOf(request), request.body);
      return reply.code(201).send(null);
    },
  );
}
