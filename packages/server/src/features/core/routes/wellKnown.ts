/** GET /.well-known/polyproto-core → {api} [core §3.1]. */
import type { FeatureApp } from "../../context.js";
import { WellKnown } from "../schemas.js";
import type { CoreService } from "../service.js";

export function wellKnown(app: FeatureApp, core: CoreService): void {
  app.get(
    "/.well-known/polyproto-core",
    {
      schema: {
        tags: ["Core"],
        summary: "Where this domain's polyproto core API lives",
        response: { 200: WellKnown },
      },
    },
    async () => core.wellKnown(),
  );
}
