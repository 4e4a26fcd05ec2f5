/**
 * A guild's permission state as loaded from storage — the guild, its roles — and what it means for
 * one member: base permissions, channel permissions, rank in the role hierarchy. Evaluation itself is
 * the protocol package's (`@p2chat/polyproto` chat/permissions); this file only feeds it records.
 */
import {
  basePermissions,
  channelPermissions,
  highestPosition,
  type MemberContext,
  type PermissionContext,
  type RoleHierarchy,
} from "@p2chat/polyproto";
import type { ChannelRecord } from "../../storage/channelStore.js";
import type { GuildRecord } from "../../storage/guildStore.js";
import type { RoleRecord } from "../../storage/roleStore.js";

/** PROFILE §7 channel types. */
export const ChannelKind = { Text: 1, Thread: 2, Forum: 3, Category: 4, GroupDm: 5 } as const;

export class GuildState {
  readonly context: PermissionContext;
  readonly hierarchy: RoleHierarchy;
  private readonly rolesById: ReadonlyMap<string, RoleRecord>;

  constructor(
    readonly guild: GuildRecord,
    /** Ascending position, @everyone first. */
    readonly roles: readonly RoleRecord[],
  ) {
    this.rolesById = new Map(roles.map((role) => [role.id, role]));
    this.context = {
      guildId: guild.id,
      ownerFid: guild.ownerFid,
      everyone: this.rolesById.get(guild.id)?.permissions ?? 0n,
      roles: new Map(roles.filter((role) => role.id !== guild.id).map((role) => [role.id, role.permissions])),
    };
    this.hierarchy = {
      ownerFid: guild.ownerFid,
      positions: new Map(roles.map((role) => [role.id, role.position])),
    };
  }

  role(id: string): RoleRecord | undefined {
    return this.rolesById.get(id);
  }

  isOwner(member: MemberContext): boolean {
    return member.fid === this.guild.ownerFid;
  }

  base(member: MemberContext): bigint {
    return basePermissions(this.context, member);
  }

  highest(member: MemberContext): number {
    return highestPosition(this.hierarchy, member);
  }

  /**
   * The member's permissions in a channel. **Decision**: a thread has no overwrites of its own; it is
   * seen and used with its parent's (as Discord's threads are), so `parent` is needed for threads.
   */
  inChannel(member: MemberContext, channel: ChannelRecord, parent?: ChannelRecord): bigint {
    const overwrites = channel.type === ChannelKind.Thread && parent ? parent.overwrites : channel.overwrites;
    return channelPermissions(this.context, member, overwrites);
  }
}
