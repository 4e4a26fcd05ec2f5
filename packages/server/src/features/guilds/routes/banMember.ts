/** PUT /guilds/{guildId}/bans/{fid} {reason?} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { MemberService } from "../members.js";
import { BanBody, MemberParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function banMember(app: FeatureApp, members: MemberService, sessions: SessionService): void {
  app.put(
    `${CHAT}/guilds/:guildId/bans/:fid`,
    {
      schema: {
        tags,
        summary: "Ban an actor: removes them if a member, blocks joining (BAN_MEMBERS)",
        security: bearerSecurity,
        params: MemberParams,
        body: Type.Union([BanBody, Type.Null()]),
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      await members.ban(
        sessionOf(request).fid,
        request.params.guildId,
        request.params.fid,
        request.body?.reason ?? null,
      );
      return reply.code(204).send(null);
    },
  );
}
