/** GET /guilds/{guildId}/bans?limit&after → 200 Ban[] (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { MemberService } from "../members.js";
import { Ban, GuildParams, PageQuery } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function listBans(app: FeatureApp, members: MemberService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds/:guildId/bans`,
    {
      schema: {
        tags,
        summary: "The guild's bans by ascending FID (BAN_MEMBERS)",
        security: bearerSecurity,
        params: GuildParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Ban), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => members.bans(sessionOf(request).fid, request.params.guildId, request.query),
  );
}
