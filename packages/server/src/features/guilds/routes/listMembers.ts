/** GET /guilds/{guildId}/members?limit&after → 200 Member[] (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { MemberService } from "../members.js";
import { GuildParams, Member, PageQuery } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function listMembers(app: FeatureApp, members: MemberService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds/:guildId/members`,
    {
      schema: {
        tags,
        summary: "The guild's members by ascending FID (limit 1–100, default 50; after an FID)",
        security: bearerSecurity,
        params: GuildParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Member), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => members.list(sessionOf(request).fid, request.params.guildId, request.query),
  );
}
