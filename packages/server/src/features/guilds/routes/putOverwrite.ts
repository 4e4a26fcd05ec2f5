/** PUT /channels/{channelId}/overwrites/{targetId} → 204 (PROFILE §7.1; Discord answers so too). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { OverwriteBody, OverwriteParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function putOverwrite(app: FeatureApp, channels: ChannelService, sessions: SessionService): void {
  app.put(
    `${CHAT}/channels/:channelId/overwrites/:targetId`,
    {
      schema: {
        tags,
        summary: "Set a role's or member's permission overwrite in a channel (MANAGE_ROLES there)",
        security: bearerSecurity,
        params: OverwriteParams,
        body: OverwriteBody,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      const { channelId, targetId } = request.params;
      await channels.putOverwrite(sessionOf(request).fid, channelId, targetId, request.body);
      return reply.code(204).send(null);
    },
  );
}
