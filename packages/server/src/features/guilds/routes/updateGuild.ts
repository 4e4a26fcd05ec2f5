/** PATCH /guilds/{guildId} → 200 Guild (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { GuildService } from "../service.js";
import { Guild, GuildParams, UpdateGuildBody } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function updateGuild(
  app: FeatureApp,
  guilds: GuildService,
  sessions: SessionService,
  guildOperations: RateLimiter,
): void {
  app.patch(
    `${CHAT}/guilds/:guildId`,
    {
      schema: {
        tags,
        summary: "Change a guild's name, description, icon or public flag (MANAGE_GUILD)",
        security: bearerSecurity,
        params: GuildParams,
        body: UpdateGuildBody,
        response: { 200: Guild, ...failures },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(guildOperations, (request) => sessionOf(request).fid),
      ],
    },
    async (request) => guilds.update(sessionOf(request).fid, request.params.guildId, request.body),
  );
}
