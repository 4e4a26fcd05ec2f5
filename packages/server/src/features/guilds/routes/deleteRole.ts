/** DELETE /guilds/{guildId}/roles/{roleId} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { RoleService } from "../roles.js";
import { RoleParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function deleteRole(app: FeatureApp, roles: RoleService, sessions: SessionService): void {
  app.delete(
    `${CHAT}/guilds/:guildId/roles/:roleId`,
    {
      schema: {
        tags,
        summary: "Delete a role below the caller's highest (MANAGE_ROLES)",
        security: bearerSecurity,
        params: RoleParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      const { guildId, roleId } = request.params;
      await roles.delete(sessionOf(request).fid, guildId, roleId);
      return reply.code(204).send(null);
    },
  );
}
