/**
 * DELETE /.p2/core/v1/services?name=…&url=… → 200 [{service, new_primary}] [core §9]: removes the
 * listed providers (all or none); sensitive when it changes a primary.
 */
import { Type } from "typebox";
import {
  bearerSecurity,
  SENSITIVE_HEADER,
  SensitiveHeaders,
  requireSession,
  sessionOf,
} from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import { formArray } from "../../../http/queryArrays.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { PrimaryChange, UnregisterServiceQuery } from "../schemas.js";
import type { ServiceDiscovery } from "../service.js";

/** Service names hold no commas; URLs may, so a single `url` value is split only before a new URL. */
const NAME_SEPARATOR = ",";
const URL_SEPARATOR = /,(?=https?:\/\/)/i;

export function unregisterService(
  app: FeatureApp,
  discovery: ServiceDiscovery,
  sessions: SessionService,
): void {
  app.delete(
    "/.p2/core/v1/services",
    {
      schema: {
        tags: ["Services", "Sensitive"],
        summary: "Remove discoverable service providers of the caller",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        querystring: UnregisterServiceQuery,
        response: {
          200: Type.Array(PrimaryChange, { description: "services whose primary changed, and the new one" }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: requireSession(sessions, { localOnly: true }),
    },
    async (request) =>
      discovery.unregister(
        sessionOf(request),
        formArray(request.query.name, NAME_SEPARATOR),
        formArray(request.query.url, URL_SEPARATOR),
        request.headers[SENSITIVE_HEADER],
      ),
  );
}
