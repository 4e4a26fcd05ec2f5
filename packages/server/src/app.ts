/**
 * The HTTP application: Fastify with TypeBox schemas, the error mapping of PROFILE §4, the OpenAPI
 * document, and one encapsulated plugin per feature. This file only composes; features live in
 * `features/<name>/`.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger } from "fastify";
import type { Config } from "./config.js";
import { authPlugin } from "./features/auth/plugin.js";
import type { FeatureContext } from "./features/context.js";
import { corePlugin } from "./features/core/plugin.js";
import { foreignPlugin } from "./features/foreign/plugin.js";
import { guildsPlugin } from "./features/guilds/plugin.js";
import { healthPlugin } from "./features/health/plugin.js";
import { keyMaterialPlugin } from "./features/keyMaterial/plugin.js";
import { messagesPlugin } from "./features/messages/plugin.js";
import { servicesPlugin } from "./features/services/plugin.js";
import type { GatewayOptions } from "./gateway/hub.js";
import { gatewayPlugin } from "./gateway/plugin.js";
import { clientErrorHandler, refuseConnect } from "./http/clientErrors.js";
import { closeConnectionsWhenDraining } from "./http/draining.js";
import { errorHandler, notFoundHandler } from "./http/errors.js";
import { registerOpenApi } from "./http/openapi.js";
import { buildValidator } from "./http/validation.js";
import { createServices, type Services } from "./services.js";
import type { Storage } from "./storage/storage.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The feature services this app was built with (tests and the process use them directly). */
    services: Services;
  }
}

export interface AppOptions {
  readonly config: Config;
  /** Opened and migrated; the app never closes it (whoever opened it does). */
  readonly storage: Storage;
  /** A pino logger (main.ts), or false for silence (tests). */
  readonly logger?: FastifyBaseLogger | false;
  /** Services to use instead of building them from config and storage. */
  readonly services?: Services;
  /** Gateway settings beyond the defaults (tests shorten the heartbeat interval). */
  readonly gateway?: Partial<GatewayOptions>;
}

/** Builds the app, ready to `listen` (or `inject`); call `close()` to drain it. */
export async function buildApp({ config, storage, logger = false, services, gateway }: AppOptions) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: config.bodyLimit,
    // Requests arriving on open connections while draining are still served (then the connection
    // closes), rather than answered with Fastify's own 503 body, which is not the PROFILE §4 shape.
    return503OnClosing: false,
    // Router errors (a path segment that is not valid percent-encoding, an over-long parameter) leave
    // through the PROFILE §4 error handler too, not as Fastify's own body.
    frameworkErrors: errorHandler,
    clientErrorHandler,
    // A FID path parameter may be 318 characters (PROFILE §1); Fastify's default cut-off is 100.
    routerOptions: { maxParamLength: 512 },
    schemaController: { compilersFactory: { buildValidator } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  closeConnectionsWhenDraining(app);
  refuseConnect(app.server);
  await registerOpenApi(app, config);

  const context: FeatureContext = {
    config,
    storage,
    services: services ?? (await createServices(config, storage, { log: app.log, gateway })),
  };
  app.decorate("services", context.services);
  await app.register(healthPlugin, context);
  await app.register(authPlugin, context);
  await app.register(corePlugin, context);
  await app.register(servicesPlugin, context);
  await app.register(keyMaterialPlugin, context);
  await app.register(foreignPlugin, context);
  await app.register(guildsPlugin, context);
  await app.register(messagesPlugin, context);
  await app.register(gatewayPlugin, context);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
