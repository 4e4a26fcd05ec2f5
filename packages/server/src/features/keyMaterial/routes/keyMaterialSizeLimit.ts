/**
 * GET /.p2/core/v1/session/keymaterial/size → 200 with `X-MAX-PAYLOAD-SIZE: <bytes>`, no body
 * [core §6.3]. Public, as the OpenAPI document has it (`security: {}`): the limit is no secret.
 */
import { Type } from "typebox";
import type { FeatureApp } from "../../context.js";
import { MAX_PAYLOAD_SIZE_HEADER } from "../schemas.js";
import type { KeyMaterialService } from "../service.js";

export function keyMaterialSizeLimit(app: FeatureApp, keyMaterial: KeyMaterialService): void {
  app.get(
    "/.p2/core/v1/session/keymaterial/size",
    {
      schema: {
        tags: ["Core"],
        summary: "The largest key-material element this server accepts, in the X-MAX-PAYLOAD-SIZE header",
        response: {
          200: Type.Unsafe<void>({
            description: "the limit, in bytes, is in the X-MAX-PAYLOAD-SIZE header (no body)",
          }),
        },
      },
    },
    async (_request, reply) =>
      reply.header(MAX_PAYLOAD_SIZE_HEADER, String(keyMaterial.maxBytes)).code(200).send(),
  );
}
