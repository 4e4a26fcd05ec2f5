/** GET /.p2/core/v1/challenge → {challenge, expires} (core §4.2, PROFILE §3). */
import type { FeatureApp } from "../../context.js";
import { KeyTrial } from "../schemas.js";
import type { ForeignService } from "../service.js";

export function challenge(app: FeatureApp, foreign: ForeignService): void {
  app.get(
    "/.p2/core/v1/challenge",
    {
      schema: {
        tags: ["Core"],
        summary: "A single-use key-trial challenge for authenticating on this server (5 minutes)",
        response: { 200: KeyTrial },
      },
    },
    async (_request, reply) => reply.header("cache-control", "no-store").send(await foreign.challenge()),
  );
}
