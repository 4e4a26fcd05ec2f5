/** polyproto-auth: register and log in (PROFILE §3). */
import type { FeaturePlugin } from "../context.js";
import { login } from "./routes/login.js";
import { register } from "./routes/register.js";

export const authPlugin: FeaturePlugin = async (app, { services }) => {
  register(app, services.accounts);
  login(app, services.accounts);
};
