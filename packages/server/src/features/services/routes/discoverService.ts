/** GET /.p2/core/v1/services/discover/{fid}/{service}?limit → 200 Service[] or 204 when none [core §9.1]. */
import { Type } from "typebox";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { DiscoverQuery, DiscoverServiceParams, Service } from "../schemas.js";
import type { ServiceDiscovery } from "../service.js";

export function discoverService(app: FeatureApp, discovery: ServiceDiscovery): void {
  app.get(
    "/.p2/core/v1/services/discover/:fid/:service",
    {
      schema: {
        tags: ["Services"],
        summary: "An actor's providers of one service",
        params: DiscoverServiceParams,
        querystring: DiscoverQuery,
        response: {
          200: Type.Array(Service),
          204: Type.Null({ description: "the actor has no provider of this service" }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { fid, service } = request.params;
      const providers = await discovery.discover(fid, service, request.query.limit);
      return providers.length === 0 ? reply.code(204).send(null) : providers;
    },
  );
}
