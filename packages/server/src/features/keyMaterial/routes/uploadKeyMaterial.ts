/**
 * POST /.p2/core/v1/session/keymaterial [EncryptedPKM…] → 201 [core §6.3]; 404 not the caller's cert,
 * 409 material exists, 413 an element over `keyMaterialMaxBytes`.
 */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { UploadBody } from "../schemas.js";
import type { KeyMaterialService } from "../service.js";

export function uploadKeyMaterial(
  app: FeatureApp,
  keyMaterial: KeyMaterialService,
  sessions: SessionService,
): void {
  app.post(
    "/.p2/core/v1/session/keymaterial",
    {
      schema: {
        tags: ["Core"],
        summary: "Store encrypted private key material, one element per ID-Cert of the caller",
        security: bearerSecurity,
        body: UploadBody,
        response: {
          201: Type.Unsafe<void>({ description: "stored (no body)" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          413: ErrorBody,
        },
      },
      preHandler: requireSession(sessions, { localOnly: true }),
    },
    async (request, reply) => {
      await keyMaterial.upload(sessionOf(request), request.body);
      return reply.code(201).send();
    },
  );
}
