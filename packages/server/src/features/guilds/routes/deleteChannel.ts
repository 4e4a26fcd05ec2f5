/** DELETE /channels/{channelId} → 204 (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { ChannelParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function deleteChannel(app: FeatureApp, channels: ChannelService, sessions: SessionService): void {
  app.delete(
    `${CHAT}/channels/:channelId`,
    {
      schema: {
        tags,
        summary: "Delete a channel with its threads (MANAGE_CHANNEL)",
        security: bearerSecurity,
        params: ChannelParams,
        response: { 204: Type.Null({ description: "done" }), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request, reply) => {
      await channels.delete(sessionOf(request).fid, request.params.channelId);
      return reply.code(204).send(null);
    },
  );
}
