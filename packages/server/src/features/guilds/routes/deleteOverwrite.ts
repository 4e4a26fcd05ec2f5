/** DELETE /channels/{channelId}/overwrites/{targetId} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { OverwriteParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function deleteOverwrite(app: FeatureApp, channels: ChannelService, sessions: SessionService): void {
  app.delete(
    `${CHAT}/channels/:channelId/overwrites/:targetId`,
    {
      schema: {
        tags,
        summary: "Remove a permission overwrite (MANAGE_ROLES in the channel)",
        security: bearerSecurity,
        params: OverwriteParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      const { channelId, targetId } = request.params;
      await channels.deleteOverwrite(sessionOf(request).fid, channelId, targetId);
      return reply.code(204).send(null);
    },
  );
}
