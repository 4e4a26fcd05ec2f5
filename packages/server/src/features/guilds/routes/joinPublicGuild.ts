/** PUT /guilds/{guildId}/members/@me → 201 Guild (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { MemberService } from "../members.js";
import { Guild, GuildParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function joinPublicGuild(
  app: FeatureApp,
  members: MemberService,
  sessions: SessionService,
  guildOperations: RateLimiter,
): void {
  app.put(
    `${CHAT}/guilds/:guildId/members/@me`,
    {
      schema: {
        tags,
        summary: "Join a public guild without an invite (201; 200 when already a member)",
        security: bearerSecurity,
        params: GuildParams,
        response: { 200: Guild, 201: Guild, ...failures },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(guildOperations, (request) => sessionOf(request).fid),
      ],
    },
    async (request, reply) => {
      const { outcome, guild } = await members.joinPublic(sessionOf(request).fid, request.params.guildId);
      reply.code(outcome === "joined" ? 201 : 200);
      return guild;
    },
  );
}
