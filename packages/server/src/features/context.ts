/**
 * What the app hands every feature plugin, and the types a feature's files share. A feature takes
 * what it needs from here and passes its service the narrowest slice (a store, not all of storage).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Config } from "../config.js";
import type { Services } from "../services.js";
import type { Storage } from "../storage/storage.js";

export interface FeatureContext {
  readonly config: Config;
  readonly storage: Storage;
  readonly services: Services;
}

/** A feature's `plugin.ts` default shape: an encapsulated Fastify plugin with TypeBox typing. */
export type FeaturePlugin = FastifyPluginAsyncTypebox<FeatureContext>;

/** The Fastify instance a feature's route files register on (TypeBox-typed). */
export type FeatureApp = Parameters<FeaturePlugin>[0];
