/** GET /channels/{channelId} → 200 Channel (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { Channel, ChannelParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function getChannel(app: FeatureApp, channels: ChannelService, sessions: SessionService): void {
  app.get(
    `${CHAT}/channels/:channelId`,
    {
      schema: {
        tags,
        summary: "A channel the caller can view",
        security: bearerSecurity,
        params: ChannelParams,
        response: { 200: Channel, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => channels.get(sessionOf(request).fid, request.params.channelId),
  );
}
