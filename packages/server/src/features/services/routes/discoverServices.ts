/** GET /.p2/core/v1/services/discover/{fid}?limit → 200 Service[] or 204 when none [core §9.1]. */
import { Type } from "typebox";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { DiscoverParams, DiscoverQuery, Service } from "../schemas.js";
import type { ServiceDiscovery } from "../service.js";

export function discoverServices(app: FeatureApp, discovery: ServiceDiscovery): void {
  app.get(
    "/.p2/core/v1/services/discover/:fid",
    {
      schema: {
        tags: ["Services"],
        summary: "Every discoverable service provider of an actor of this server",
        params: DiscoverParams,
        querystring: DiscoverQuery,
        response: {
          200: Type.Array(Service),
          204: Type.Null({ description: "the actor has no discoverable services" }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const providers = await discovery.discover(request.params.fid, undefined, request.query.limit);
      return providers.length === 0 ? reply.code(204).send(null) : providers;
    },
  );
}
