/**
 * Who may see and do what (PROFILE §7, §7.1): loads the caller's standing in a guild or channel and
 * turns it into the two answers the API gives — `404 P2CHAT_NOT_FOUND` when the thing does not exist
 * *or the caller may not see it* (existence never leaks), `403 P2CHAT_MISSING_PERMISSION` when they
 * see it but lack the permission.
 */
import { canManageRole, hasPermission, type MemberContext, outranks, Permission } from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import type { ChannelRecord } from "../../storage/channelStore.js";
import type { MemberRecord } from "../../storage/memberStore.js";
import type { Storage } from "../../storage/storage.js";
import { ChannelKind, GuildState } from "./guildState.js";

export type GuildStores = Pick<
  Storage,
  "guilds" | "channels" | "roles" | "members" | "bans" | "guildInvites" | "transaction"
>;

export function notFound(what: string): P2Error {
  return new P2Error(404, "P2CHAT_NOT_FOUND", `no such ${what}`);
}

export function missing(permission: keyof typeof Permission | "OWNER"): P2Error {
  const message =
    permission === "OWNER" ? "only the guild's owner may do this" : `this needs the ${permission} permission`;
  return new P2Error(403, "P2CHAT_MISSING_PERMISSION", message);
}

export function belowHierarchy(what: string): P2Error {
  return new P2Error(403, "P2CHAT_ROLE_HIERARCHY", `${what} is not below your highest role`);
}

/** The caller as a member of a guild they belong to. */
export class MemberScope {
  readonly fid: string;
  readonly self: MemberContext;
  /** Guild-level permissions. */
  readonly base: bigint;

  constructor(
    readonly state: GuildState,
    readonly member: MemberRecord,
  ) {
    this.fid = member.fid;
    this.self = { fid: member.fid, roleIds: member.roleIds };
    this.base = state.base(this.self);
  }

  get guildId(): string {
    return this.state.guild.id;
  }

  get isOwner(): boolean {
    return this.state.isOwner(this.self);
  }

  /** Throws 403 unless the guild-level permissions hold `permission`. */
  require(permission: keyof typeof Permission): void {
    if (!hasPermission(this.base, Permission[permission])) throw missing(permission);
  }

  requireOwner(): void {
    if (!this.isOwner) throw missing("OWNER");
  }

  /** Throws 403 unless a role at `position` is below the caller's highest (Discord's hierarchy). */
  requireAboveRole(position: number, what = "the role"): void {
    if (!canManageRole(this.state.hierarchy, this.self, position)) throw belowHierarchy(what);
  }

  /** Throws 403 unless the caller outranks `target` (kick, ban). */
  requireOutranks(target: MemberContext): void {
    if (!outranks(this.state.hierarchy, this.self, target)) throw belowHierarchy("that member");
  }

  /**
   * Throws 403 when `bits` holds permissions the caller lacks in `held` — one cannot hand out what one
   * does not have (Discord's rule for roles and overwrites); owner and administrators hold everything.
   */
  requireHolds(bits: bigint, held: bigint = this.base): void {
    const lacking = bits & ~held;
    if (lacking !== 0n) {
      throw new P2Error(
        403,
        "P2CHAT_MISSING_PERMISSION",
        `you cannot grant or deny permissions you lack (${lacking})`,
      );
    }
  }
}

/** The caller in a channel they can see. */
export class ChannelScope extends MemberScope {
  /** Effective permissions in the channel (VIEW_CHANNEL always among them). */
  readonly permissions: bigint;

  constructor(
    state: GuildState,
    member: MemberRecord,
    readonly channel: ChannelRecord,
    parent: ChannelRecord | undefined,
  ) {
    super(state, member);
    this.permissions = state.inChannel(this.self, channel, parent);
  }

  /** Throws 403 unless the channel permissions hold `permission`. */
  override require(permission: keyof typeof Permission): void {
    if (!hasPermission(this.permissions, Permission[permission])) throw missing(permission);
  }
}

export class GuildAuthority {
  constructor(private readonly stores: GuildStores) {}

  /** The guild's state, or undefined when it does not exist. */
  async state(guildId: string): Promise<GuildState | undefined> {
    const [guild, roles] = await Promise.all([
      this.stores.guilds.find(guildId),
      this.stores.roles.listOfGuild(guildId),
    ]);
    return guild && new GuildState(guild, roles);
  }

  /** The caller's standing in a guild; 404 when it does not exist or they are no member. */
  async member(fid: string, guildId: string): Promise<MemberScope> {
    const [state, member] = await Promise.all([this.state(guildId), this.stores.members.find(guildId, fid)]);
    if (!state || !member) throw notFound("guild");
    return new MemberScope(state, member);
  }

  /** The caller's standing in a guild channel; 404 when it does not exist or they cannot view it. */
  async channel(fid: string, channelId: string): Promise<ChannelScope> {
    const channel = await this.stores.channels.find(channelId);
    // Group DMs (type 5) come with their own rules later; until then nobody sees them here.
    if (!channel || channel.guildId === null) throw notFound("channel");
    const [state, member, parent] = await Promise.all([
      this.state(channel.guildId),
      this.stores.members.find(channel.guildId, fid),
      channel.type === ChannelKind.Thread && channel.parentId
        ? this.stores.channels.find(channel.parentId)
        : undefined,
    ]);
    if (!state || !member) throw notFound("channel");
    const scope = new ChannelScope(state, member, channel, parent);
    if (!hasPermission(scope.permissions, Permission.VIEW_CHANNEL)) throw notFound("channel");
    return scope;
  }
}
