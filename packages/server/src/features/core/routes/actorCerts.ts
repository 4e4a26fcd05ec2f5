/** GET /.p2/core/v1/idcert/actor/{fid}?notBefore&notAfter&session_id → CacheableIDCert[] (PROFILE §3). */

import { Type } from "typebox";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { ActorCertParams, ActorCertQuery, CacheableIdCert } from "../schemas.js";
import type { CoreService } from "../service.js";

export function actorCerts(app: FeatureApp, core: CoreService): void {
  app.get(
    "/.p2/core/v1/idcert/actor/:fid",
    {
      schema: {
        tags: ["Core"],
        summary: "An actor's ID-Certs, revoked ones marked with invalidatedAt",
        params: ActorCertParams,
        querystring: ActorCertQuery,
        response: { 200: Type.Array(CacheableIdCert), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) =>
      core.actorCerts(request.params.fid, {
        notBefore: request.query.notBefore,
        notAfter: request.query.notAfter,
        sessionId: request.query.session_id,
      }),
  );
}
