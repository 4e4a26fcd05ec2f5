/** POST /guilds {name, description?, icon?, public?} → 201 Guild (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { GuildService } from "../service.js";
import { CreateGuildBody, Guild } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function createGuild(
  app: FeatureApp,
  guilds: GuildService,
  sessions: SessionService,
  guildOperations: RateLimiter,
): void {
  app.post(
    `${CHAT}/guilds`,
    {
      schema: {
        tags,
        summary: "Create a guild (local actors): @everyone role, the caller as owner and first member",
        security: bearerSecurity,
        body: CreateGuildBody,
        response: { 201: Guild, ...failures },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(guildOperations, (request) => sessionOf(request).fid),
      ],
    },
    async (request, reply) => {
      reply.code(201);
      return guilds.create(sessionOf(request), request.body);
    },
  );
}
