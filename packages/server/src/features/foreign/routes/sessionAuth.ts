/** POST /.p2/core/v1/session/auth {idCertPem, challenge, signature} → 200 {token} (core §4.1.1, PROFILE §3). */
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { SessionAuthBody, SessionAuthResponse } from "../schemas.js";
import type { ForeignService } from "../service.js";

export function sessionAuth(app: FeatureApp, foreign: ForeignService): void {
  app.post(
    "/.p2/core/v1/session/auth",
    {
      schema: {
        tags: ["Core"],
        summary: "Authenticate with an ID-Cert and a signed challenge (key trial); receive a session token",
        body: SessionAuthBody,
        response: { 200: SessionAuthResponse, 400: ErrorBody, 401: ErrorBody, 502: ErrorBody },
      },
    },
    async (request) => foreign.authenticate(request.body),
  );
}
