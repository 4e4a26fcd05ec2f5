/** Authentication on this server by key trial, for actors of any home server (core §4.1.1, PROFILE §3). */
import type { FeaturePlugin } from "../context.js";
import { challenge } from "./routes/challenge.js";
import { externIdCert } from "./routes/externIdCert.js";
import { keyTrials } from "./routes/keyTrials.js";
import { sessionAuth } from "./routes/sessionAuth.js";

export const foreignPlugin: FeaturePlugin = async (app, { services }) => {
  const { foreign, sessions } = services;
  challenge(app, foreign);
  sessionAuth(app, foreign);
  externIdCert(app, foreign, sessions);
  keyTrials(app, foreign);
};
