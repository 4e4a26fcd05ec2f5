/** The polyproto core API's identity routes (PROFILE §1–§3). */
import type { FeaturePlugin } from "../context.js";
import { actorCerts } from "./routes/actorCerts.js";
import { newIdCert } from "./routes/newIdCert.js";
import { revokeSession } from "./routes/revokeSession.js";
import { rotateServerKey } from "./routes/rotateServerKey.js";
import { serverCert } from "./routes/serverCert.js";
import { wellKnown } from "./routes/wellKnown.js";

export const corePlugin: FeaturePlugin = async (app, { services }) => {
  const { core, sessions, accounts } = services;
  wellKnown(app, core);
  serverCert(app, core);
  actorCerts(app, core);
  newIdCert(app, core, sessions, accounts);
  revokeSession(app, core, sessions, accounts);
  rotateServerKey(app, core, sessions, accounts);
};
