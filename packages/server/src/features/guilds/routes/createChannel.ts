/** POST /guilds/{guildId}/channels → 201 Channel (PROFILE §7.1). */
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { type RateLimiter, rateLimited } from "../../../http/rateLimit.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { ChannelService } from "../channels.js";
import { Channel, CreateChannelBody, GuildParams } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function createChannel(
  app: FeatureApp,
  channels: ChannelService,
  sessions: SessionService,
  channelCreations: RateLimiter,
): void {
  app.post(
    `${CHAT}/guilds/:guildId/channels`,
    {
      schema: {
        tags,
        summary: "Create a channel, category or thread (MANAGE_CHANNEL; overwrites need MANAGE_ROLES)",
        security: bearerSecurity,
        params: GuildParams,
        body: CreateChannelBody,
        response: { 201: Channel, ...failures },
      },
      preHandler: [
        requireSession(sessions),
        rateLimited(channelCreations, (request) => sessionOf(request).fid),
      ],
    },
    async (request, reply) => {
      reply.code(201);
      return channels.create(sessionOf(request).fid, request.params.guildId, request.body);
    },
  );
}
