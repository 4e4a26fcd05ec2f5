/** DELETE /guilds/{guildId}/members/{fid} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { MemberService } from "../members.js";
import { MemberParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function kickMember(app: FeatureApp, members: MemberService, sessions: SessionService): void {
  app.delete(
    `${CHAT}/guilds/:guildId/members/:fid`,
    {
      schema: {
        tags,
        summary: "Kick a member ranked below the caller (KICK_MEMBERS)",
        security: bearerSecurity,
        params: MemberParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      await members.kick(sessionOf(request).fid, request.params.guildId, request.params.fid);
      return reply.code(204).send(null);
    },
  );
}
