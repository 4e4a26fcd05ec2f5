/** PUT /guilds/{guildId}/members/{fid}/roles/{roleId} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { RoleService } from "../roles.js";
import { MemberRoleParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function addMemberRole(app: FeatureApp, roles: RoleService, sessions: SessionService): void {
  app.put(
    `${CHAT}/guilds/:guildId/members/:fid/roles/:roleId`,
    {
      schema: {
        tags,
        summary: "Give a member a role below the caller's highest (MANAGE_ROLES)",
        security: bearerSecurity,
        params: MemberRoleParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      const { guildId, fid, roleId } = request.params;
      await roles.assign(sessionOf(request).fid, guildId, fid, roleId, true);
      return reply.code(204).send(null);
    },
  );
}
