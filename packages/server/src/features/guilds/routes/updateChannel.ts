/** PATCH /channels/{channelId} → 200 Channel (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { Channel, ChannelParams, UpdateChannelBody } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function updateChannel(app: FeatureApp, channels: ChannelService, sessions: SessionService): void {
  app.patch(
    `${CHAT}/channels/:channelId`,
    {
      schema: {
        tags,
        summary: "Rename, re-topic, move or reorder a channel, or turn its encryption on (MANAGE_CHANNEL)",
        security: bearerSecurity,
        params: ChannelParams,
        body: UpdateChannelBody,
        response: { 200: Channel, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => channels.update(sessionOf(request).fid, request.params.channelId, request.body),
  );
}
