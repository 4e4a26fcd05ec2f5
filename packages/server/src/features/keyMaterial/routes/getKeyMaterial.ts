/** GET /.p2/core/v1/session/keymaterial?serials=… → 200 [EncryptedPKM…], 204 when none [core §6.3]. */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import { formArray } from "../../../http/queryArrays.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { EncryptedPkm, GetQuery } from "../schemas.js";
import type { KeyMaterialService } from "../service.js";

export function getKeyMaterial(
  app: FeatureApp,
  keyMaterial: KeyMaterialService,
  sessions: SessionService,
): void {
  app.get(
    "/.p2/core/v1/session/keymaterial",
    {
      schema: {
        tags: ["Core"],
        summary: "The caller's encrypted private key material, of some serials or all",
        security: bearerSecurity,
        querystring: GetQuery,
        response: {
          200: Type.Array(EncryptedPkm),
          204: Type.Null({ description: "no key material (for these serials)" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
      preHandler: requireSession(sessions, { localOnly: true }),
    },
    async (request, reply) => {
      const { serials } = request.query;
      const elements = await keyMaterial.list(
        sessionOf(request),
        serials === undefined ? undefined : formArray(serials, ","),
      );
      return elements.length === 0 ? reply.code(204).send(null) : elements;
    },
  );
}
