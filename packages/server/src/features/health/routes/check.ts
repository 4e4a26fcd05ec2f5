/** GET /healthz — for load balancers and process supervisors; not part of the polyproto API. */
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { HealthStatus } from "../schemas.js";
import type { HealthService } from "../service.js";

export function check(app: FeatureApp, health: HealthService): void {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["Server"],
        summary: "Liveness and database check",
        response: { 200: HealthStatus, 503: ErrorBody },
      },
    },
    () => health.check(),
  );
}
