/** GET /guilds/{guildId}/roles → 200 Role[] (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { RoleService } from "../roles.js";
import { GuildParams, Role } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function listRoles(app: FeatureApp, roles: RoleService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds/:guildId/roles`,
    {
      schema: {
        tags,
        summary: "The guild's roles, @everyone first, by position",
        security: bearerSecurity,
        params: GuildParams,
        response: { 200: Type.Array(Role), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => roles.list(sessionOf(request).fid, request.params.guildId),
  );
}
