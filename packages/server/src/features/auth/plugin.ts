/** polyproto-auth: register and log in (PROFILE §3). */
import type { FeaturePlugin } from "../context.js";
import { invites } from "./routes/invites.js";
import { login } from "./routes/login.js";
import { register } from "./routes/register.js";

export const authPlugin: FeaturePlugin = async (app, { services }) => {
  register(app, services.accounts);
  login(app, services.accounts);
  invites(app, services.accounts, services.sessions);
};
