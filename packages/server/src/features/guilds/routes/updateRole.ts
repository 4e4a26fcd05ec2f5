/** PATCH /guilds/{guildId}/roles/{roleId} → 200 Role (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { RoleService } from "../roles.js";
import { Role, RoleParams, UpdateRoleBody } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function updateRole(app: FeatureApp, roles: RoleService, sessions: SessionService): void {
  app.patch(
    `${CHAT}/guilds/:guildId/roles/:roleId`,
    {
      schema: {
        tags,
        summary: "Change or move a role below the caller's highest (MANAGE_ROLES)",
        security: bearerSecurity,
        params: RoleParams,
        body: UpdateRoleBody,
        response: { 200: Role, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => {
      const { guildId, roleId } = request.params;
      return roles.update(sessionOf(request).fid, guildId, roleId, request.body);
    },
  );
}
