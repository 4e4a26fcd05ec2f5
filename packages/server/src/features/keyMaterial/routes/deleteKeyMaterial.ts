/** DELETE /.p2/core/v1/session/keymaterial?serials=… (sensitive) → 204, 404 when one is missing [core §6.3]. */
import { Type } from "typebox";
import {
  bearerSecurity,
  requireSensitive,
  requireSession,
  SensitiveHeaders,
  sessionOf,
} from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import { formArray } from "../../../http/queryArrays.js";
import type { AccountService } from "../../auth/service.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { DeleteQuery } from "../schemas.js";
import type { KeyMaterialService } from "../service.js";

export function deleteKeyMaterial(
  app: FeatureApp,
  keyMaterial: KeyMaterialService,
  sessions: SessionService,
  accounts: AccountService,
): void {
  app.delete(
    "/.p2/core/v1/session/keymaterial",
    {
      schema: {
        tags: ["Core", "Sensitive"],
        summary: "Delete some of the caller's encrypted private key material",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        querystring: DeleteQuery,
        response: {
          204: Type.Null({ description: "deleted" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: [requireSession(sessions, { localOnly: true }), requireSensitive(accounts)],
    },
    async (request, reply) => {
      await keyMaterial.delete(sessionOf(request), formArray(request.query.serials, ","));
      return reply.code(204).send(null);
    },
  );
}
