/** DELETE /guilds/{guildId}/members/@me → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { MemberService } from "../members.js";
import { GuildParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function leaveGuild(
  app: FeatureApp,
  members: MemberService,
  sessions: SessionService,
  guildOperations: RateLimiter,
): void {
  app.delete(
    `${CHAT}/guilds/:guildId/members/@me`,
    {
      schema: {
        tags,
        summary: "Leave a guild (not its owner)",
        security: bearerSecurity,
        params: GuildParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(guildOperations, (request) => sessionOf(request).fid),
      ],
    },
    async (request, reply) => {
      await members.leave(sessionOf(request).fid, request.params.guildId);
      return reply.code(204).send(null);
    },
  );
}
