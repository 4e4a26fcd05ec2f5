/** POST /guilds/{guildId}/roles → 201 Role (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { RoleService } from "../roles.js";
import { CreateRoleBody, GuildParams, Role } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function createRole(app: FeatureApp, roles: RoleService, sessions: SessionService): void {
  app.post(
    `${CHAT}/guilds/:guildId/roles`,
    {
      schema: {
        tags,
        summary: "Create a role just above @everyone (MANAGE_ROLES; only permissions the caller holds)",
        security: bearerSecurity,
        params: GuildParams,
        body: CreateRoleBody,
        response: { 201: Role, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      reply.code(201);
      return roles.create(sessionOf(request).fid, request.params.guildId, request.body);
    },
  );
}
