/**
 * Which channels each member can view (VIEW_CHANNEL after overwrites). The gateway needs it to give a
 * session its topics and to tell members about channels appearing and disappearing for them: taken
 * before and after a change, two of these say exactly who gained and who lost which channel.
 */
import { hasPermission, type MemberContext, Permission } from "@p2chat/polyproto";
import type { ChannelRecord } from "../../storage/channelStore.js";
import type { MemberRecord } from "../../storage/memberStore.js";
import type { GuildStores } from "./authority.js";
import { GuildState } from "./guildState.js";

export interface Visibility {
  readonly state: GuildState;
  readonly channels: ReadonlyMap<string, ChannelRecord>;
  /** Channel IDs each member (by FID) can view. */
  readonly viewers: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The channels of `channels` that `member` can view. */
export function visibleChannels(
  state: GuildState,
  member: MemberContext,
  channels: ReadonlyMap<string, ChannelRecord>,
): Set<string> {
  const visible = new Set<string>();
  for (const channel of channels.values()) {
    const parent = channel.parentId === null ? undefined : channels.get(channel.parentId);
    if (hasPermission(state.inChannel(member, channel, parent), Permission.VIEW_CHANNEL))
      visible.add(channel.id);
  }
  return visible;
}

/** Members are read in pages of this many when a change concerns everyone. */
const MEMBER_PAGE = 1000;

export class GuildViews {
  constructor(private readonly stores: Pick<GuildStores, "guilds" | "roles" | "channels" | "members">) {}

  /**
   * The visibility of the guild's channels for the given members (all members when `fids` is
   * undefined; FIDs that are no members are left out). Undefined when the guild does not exist.
   */
  async of(guildId: string, fids?: readonly string[]): Promise<Visibility | undefined> {
    const [guild, roles, channelList] = await Promise.all([
      this.stores.guilds.find(guildId),
      this.stores.roles.listOfGuild(guildId),
      this.stores.channels.listOfGuild(guildId),
    ]);
    if (!guild) return undefined;
    const state = new GuildState(guild, roles);
    const channels = new Map(channelList.map((channel) => [channel.id, channel]));
    const viewers = new Map<string, ReadonlySet<string>>();
    for (const member of await this.members(guildId, fids)) {
      viewers.set(member.fid, visibleChannels(state, { fid: member.fid, roleIds: member.roleIds }, channels));
    }
    return { state, channels, viewers };
  }

  /** The given members (those that are members), or all of the guild's when `fids` is undefined. */
  async members(guildId: string, fids?: readonly string[]): Promise<MemberRecord[]> {
    if (fids) {
      const found = await Promise.all(fids.map((fid) => this.stores.members.find(guildId, fid)));
      return found.filter((member): member is MemberRecord => member !== undefined);
    }
    const all: MemberRecord[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.stores.members.list(guildId, { limit: MEMBER_PAGE, after });
      all.push(...page);
      if (page.length < MEMBER_PAGE) return all;
      after = page[page.length - 1]!.fid;
    }
  }
}
