/** GET /guilds/{guildId}/channels → 200 Channel[] (PROFILE §7.1). */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { Channel, GuildParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function listChannels(app: FeatureApp, channels: ChannelService, sessions: SessionService): void {
  app.get(
    `${CHAT}/guilds/:guildId/channels`,
    {
      schema: {
        tags,
        summary: "The guild's channels the caller can view",
        security: bearerSecurity,
        params: GuildParams,
        response: { 200: Type.Array(Channel), ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => channels.list(sessionOf(request).fid, request.params.guildId),
  );
}
