/** DELETE /guilds/{guildId} (owner, sensitive) → 204 (PROFILE §3, §7.1). */
import { Type } from "typebox";
import {
  bearerSecurity,
  requireSession,
  SENSITIVE_HEADER,
  type SensitiveSolutionChecker,
  SensitiveHeaders,
  sessionOf,
} from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { GuildParams } from "../schemas.js";
import type { GuildService } from "../service.js";
import { CHAT, failures, tags } from "./common.js";

export function deleteGuild(
  app: FeatureApp,
  guilds: GuildService,
  sessions: SessionService,
  accounts: SensitiveSolutionChecker,
  guildOperations: RateLimiter,
): void {
  app.delete(
    `${CHAT}/guilds/:guildId`,
    {
      schema: {
        tags: [...tags, "Sensitive"],
        summary: "Delete a guild and everything in it (its owner; X-P2-Sensitive-Solution)",
        security: bearerSecurity,
        headers: SensitiveHeaders,
        params: GuildParams,
        response: { 204: Type.Null({ description: "deleted" }), ...failures },
      },
      // The solution is checked by the service after the owner check (requireSensitive would answer
      // 401 before anyone learns whether they may delete at all; the order keeps 404/403 exact).
      preHandler: [
        requireSession(sessions),
        rateLimited(guildOperations, (request) => sessionOf(request).fid),
      ],
    },
    async (request, reply) => {
      const { fid } = sessionOf(request);
      const header = request.headers[SENSITIVE_HEADER];
      const solution = typeof header === "string" ? header : undefined;
      await guilds.delete(fid, request.params.guildId, () => accounts.checkSensitiveSolution(fid, solution));
      return reply.code(204).send(null);
    },
  );
}
