/**
 * The guild side's answer to the message side (`features/chat/access.ts`): a channel as one actor
 * sees it — their effective permissions there, its encryption flag and its gateway topic — or 404.
 */
import type { ChannelView, ChatAccess } from "../chat/access.js";
import type { GuildAuthority } from "./authority.js";
import { channelTopic } from "./events.js";

export class GuildChatAccess implements ChatAccess {
  constructor(private readonly authority: GuildAuthority) {}

  /**
   * 404 `P2CHAT_NOT_FOUND` for an unknown channel, a guild the actor is no member of (banned actors
   * are none), a channel they cannot view, and — until group DMs exist — type 5 channels.
   */
  async channelFor(fid: string, channelId: string): Promise<ChannelView> {
    const { channel, permissions } = await this.authority.channel(fid, channelId);
    return {
      channelId: channel.id,
      guildId: channel.guildId ?? undefined,
      type: channel.type,
      encrypted: channel.encrypted,
      permissions,
      topic: channelTopic(channel.id),
    };
  }
}
