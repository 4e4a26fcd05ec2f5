/** GET /.p2/core/v1/idcert/server?timestamp → CacheableIDCert of the root (PROFILE §3). */
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { CacheableIdCert, ServerCertQuery } from "../schemas.js";
import type { CoreService } from "../service.js";

export function serverCert(app: FeatureApp, core: CoreService): void {
  app.get(
    "/.p2/core/v1/idcert/server",
    {
      schema: {
        tags: ["Core"],
        summary: "The server's root ID-Cert (now, or at a UNIX time)",
        querystring: ServerCertQuery,
        response: { 200: CacheableIdCert, 404: ErrorBody },
      },
    },
    async (request) => core.serverCert(request.query.timestamp),
  );
}
