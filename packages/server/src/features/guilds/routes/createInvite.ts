/** POST /channels/{channelId}/invites {maxAge?, maxUses?} → 201 Invite (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { InviteService } from "../invites.js";
import { ChannelParams, CreateInviteBody, Invite } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function createInvite(app: FeatureApp, invites: InviteService, sessions: SessionService): void {
  app.post(
    `${CHAT}/channels/:channelId/invites`,
    {
      schema: {
        tags,
        summary: "Create an invite to a channel (CREATE_INVITE there)",
        security: bearerSecurity,
        params: ChannelParams,
        body: Type.Union([CreateInviteBody, Type.Null()]),
        response: { 201: Invite, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      reply.code(201);
      return invites.create(sessionOf(request).fid, request.params.channelId, request.body ?? {});
    },
  );
}
