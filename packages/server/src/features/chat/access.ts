/**
 * What the message side of chat needs from the guild side: who may see and do what in a channel.
 * Implemented by the guild service (`features/guilds/`); used by messages, reactions, pins, typing,
 * read states and attachments (`features/messages/`).
 */

/** A channel as one actor sees it. */
export interface ChannelView {
  readonly channelId: string;
  /** Undefined for group DMs (channel type 5). */
  readonly guildId: string | undefined;
  /** PROFILE §7 channel type: 1 text, 2 thread, 3 forum, 4 category, 5 group DM. */
  readonly type: number;
  /** Whether later messages must be MLS (`body: {mls}`), PROFILE §8. */
  readonly encrypted: boolean;
  /** The actor's effective permissions in the channel (PROFILE §7 bitfield). */
  readonly permissions: bigint;
  /** The gateway topic this channel's events go to (`channel:<id>`). */
  readonly topic: string;
}

export interface ChatAccess {
  /**
   * The channel as `fid` sees it. Throws `P2Error(404, "P2CHAT_NOT_FOUND")` when it does not exist or
   * `fid` may not see it (no VIEW_CHANNEL, not a member, banned) — existence never leaks.
   */
  channelFor(fid: string, channelId: string): Promise<ChannelView>;
}
