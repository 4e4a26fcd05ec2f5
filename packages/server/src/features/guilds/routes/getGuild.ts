/** GET /guilds/{guildId} → 200 Guild (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { GuildService } from "../service.js";
import { Guild, GuildParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function getGuild(app: FeatureApp, guilds: GuildService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds/:guildId`,
    {
      schema: {
        tags,
        summary: "A guild the caller is a member of, or a public one",
        security: bearerSecurity,
        params: GuildParams,
        response: { 200: Guild, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => guilds.get(sessionOf(request).fid, request.params.guildId),
  );
}
