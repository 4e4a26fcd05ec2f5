/**
 * POST /.p2/core/v1/services {service: {service, url, primary?}} → 201 Service [core §9]; 409 when the
 * actor already registered that provider. `primary: true` over an existing primary is sensitive.
 */
import {
  bearerSecurity,
  SENSITIVE_HEADER,
  SensitiveHeaders,
  requireSession,
  sessionOf,
} from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { RegisterServiceBody, Service } from "../schemas.js";
import type { ServiceDiscovery } from "../service.js";

export function registerService(
  app: FeatureApp,
  discovery: ServiceDiscovery,
  sessions: SessionService,
): void {
  app.post(
    "/.p2/core/v1/services",
    {
      schema: {
        tags: ["Services"],
        summary: "Make a service provider discoverable for the caller",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        body: RegisterServiceBody,
        response: { 201: Service, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
      preHandler: requireSession(sessions, { localOnly: true }),
    },
    async (request, reply) => {
      const provider = await discovery.register(
        sessionOf(request),
        request.body.service,
        request.headers[SENSITIVE_HEADER],
      );
      return reply.code(201).send(provider);
    },
  );
}
