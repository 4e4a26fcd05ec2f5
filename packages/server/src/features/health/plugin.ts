/**
 * The health feature, and the example of how a feature is laid out:
 *   plugin.ts       — builds the feature's service from the context and registers its routes;
 *   schemas.ts      — TypeBox shapes shared by its routes and service;
 *   service.ts      — what the feature does, without Fastify;
 *   routes/<action>.ts — one route per file: its schema and a handler that calls the service.
 */
import type { FeaturePlugin } from "../context.js";
import { check } from "./routes/check.js";
import { HealthService } from "./service.js";

export const healthPlugin: FeaturePlugin = async (app, { storage }) => {
  const health = new HealthService(storage);
  check(app, health);
};
