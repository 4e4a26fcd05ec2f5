/** GET /.p2/core/v1/keytrial/{fid}?limit&id&notBefore&notAfter → completed key trials, or 204 (core §4.2). */
import { Type } from "typebox";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { CompletedKeyTrial, KeyTrialParams, KeyTrialQuery } from "../schemas.js";
import type { ForeignService } from "../service.js";

export function keyTrials(app: FeatureApp, foreign: ForeignService): void {
  app.get(
    "/.p2/core/v1/keytrial/:fid",
    {
      schema: {
        tags: ["Core"],
        summary: "The key trials an actor completed on this server, with their signatures (public record)",
        params: KeyTrialParams,
        querystring: KeyTrialQuery,
        response: {
          200: Type.Array(CompletedKeyTrial),
          204: Type.Null({ description: "no completed trials for this actor" }),
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const trials = await foreign.keyTrials(request.params.fid, request.query);
      if (trials.length === 0) return reply.code(204).send(null);
      return trials;
    },
  );
}
