/** POST /invites/{code} → 201 Guild (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { InviteService } from "../invites.js";
import { Guild, InviteParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function joinByInvite(
  app: FeatureApp,
  invites: InviteService,
  sessions: SessionService,
  guildOperations: RateLimiter,
): void {
  app.post(
    `${CHAT}/invites/:code`,
    {
      schema: {
        tags,
        summary: "Join the guild an invite leads to (201; 200 when already a member)",
        security: bearerSecurity,
        params: InviteParams,
        response: { 200: Guild, 201: Guild, ...failures },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(guildOperations, (request) => sessionOf(request).fid),
      ],
    },
    async (request, reply) => {
      const { outcome, guild } = await invites.join(sessionOf(request).fid, request.params.code);
      reply.code(outcome === "joined" ? 201 : 200);
      return guild;
    },
  );
}
