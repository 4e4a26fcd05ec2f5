/** DELETE /invites/{code} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { InviteService } from "../invites.js";
import { InviteParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function deleteInvite(app: FeatureApp, invites: InviteService, sessions: SessionService): void {
  app.delete(
    `${CHAT}/invites/:code`,
    {
      schema: {
        tags,
        summary: "Delete an invite (its creator, MANAGE_GUILD, or MANAGE_CHANNEL in its channel)",
        security: bearerSecurity,
        params: InviteParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      await invites.delete(sessionOf(request).fid, request.params.code);
      return reply.code(204).send(null);
    },
  );
}
