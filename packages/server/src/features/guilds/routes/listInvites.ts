/** GET /guilds/{guildId}/invites → 200 Invite[] (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { InviteService } from "../invites.js";
import { GuildParams, Invite } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function listInvites(app: FeatureApp, invites: InviteService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds/:guildId/invites`,
    {
      schema: {
        tags,
        summary: "The guild's invites, newest first (MANAGE_GUILD)",
        security: bearerSecurity,
        params: GuildParams,
        response: { 200: Type.Array(Invite), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => invites.list(sessionOf(request).fid, request.params.guildId),
  );
}
