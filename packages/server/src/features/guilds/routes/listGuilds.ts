/** GET /guilds?public&limit&after → 200 Guild[] (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { GuildService } from "../service.js";
import { Guild, GuildListQuery } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function listGuilds(app: FeatureApp, guilds: GuildService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds`,
    {
      schema: {
        tags,
        summary: "The caller's guilds, or with ?public=true the public guilds (discovery)",
        security: bearerSecurity,
        querystring: GuildListQuery,
        response: { 200: Type.Array(Guild), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => guilds.list(sessionOf(request).fid, request.query),
  );
}
