/** Discoverable services [core §9]: register, remove, choose the primary, discover. */
import type { FeaturePlugin } from "../context.js";
import { discoverService } from "./routes/discoverService.js";
import { discoverServices } from "./routes/discoverServices.js";
import { registerService } from "./routes/registerService.js";
import { setPrimaryProvider } from "./routes/setPrimaryProvider.js";
import { unregisterService } from "./routes/unregisterService.js";

export const servicesPlugin: FeaturePlugin = async (app, { services }) => {
  const { discovery, sessions, accounts } = services;
  registerService(app, discovery, sessions);
  unregisterService(app, discovery, sessions);
  setPrimaryProvider(app, discovery, sessions, accounts);
  discoverServices(app, discovery);
  discoverService(app, discovery);
};
