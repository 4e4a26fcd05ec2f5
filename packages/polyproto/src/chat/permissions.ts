/**
 * Guild permissions (PROFILE §7): a bitfield with Discord's bit positions, sent as a decimal string,
 * and Discord's order of evaluation — base permissions from @everyone and the member's roles, then the
 * channel's overwrites: @everyone's, the roles' (allows and denies combined), the member's own.
 * Pure: no I/O, bigint arithmetic only.
 */

export const Permission = {
  CREATE_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNEL: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  MANAGE_ROLES: 1n << 28n,
} as const;
export type PermissionName = keyof typeof Permission;

/** Every permission this profile defines. */
export const ALL_PERMISSIONS: bigint = Object.values(Permission).reduce((all, bit) => all | bit, 0n);

/** What the @everyone role of a new guild allows (PROFILE §7). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  Permission.VIEW_CHANNEL |
  Permission.SEND_MESSAGES |
  Permission.READ_MESSAGE_HISTORY |
  Permission.ADD_REACTIONS |
  Permission.CREATE_INVITE |
  Permission.ATTACH_FILES;

/** Permissions that only mean something inside a channel one can send to (Discord's implicit rule). */
const NEEDS_SEND = Permission.MENTION_EVERYONE | Permission.ATTACH_FILES;

export interface Overwrite {
  /** A role ID (the guild ID for @everyone) or a member's FID. */
  readonly id: string;
  readonly type: "role" | "member";
  readonly allow: bigint;
  readonly deny: bigint;
}

export interface PermissionContext {
  readonly guildId: string;
  readonly ownerFid: string;
  /** The @everyone role's permissions (its ID is the guild ID). */
  readonly everyone: bigint;
  /** Permissions of every other role, by role ID. */
  readonly roles: ReadonlyMap<string, bigint>;
}

export interface MemberContext {
  readonly fid: string;
  /** Role IDs the member holds (not @everyone). Unknown IDs are ignored. */
  readonly roleIds: readonly string[];
}

/** Guild-level permissions of a member: owner → all; else @everyone ∪ roles; ADMINISTRATOR → all. */
export function basePermissions(guild: PermissionContext, member: MemberContext): bigint {
  if (member.fid === guild.ownerFid) return ALL_PERMISSIONS;
  let permissions = guild.everyone;
  for (const roleId of member.roleIds) permissions |= guild.roles.get(roleId) ?? 0n;
  if (permissions & Permission.ADMINISTRATOR) return ALL_PERMISSIONS;
  return permissions & ALL_PERMISSIONS;
}

/**
 * A member's permissions in a channel: base permissions, then @everyone's overwrite, then the
 * member's roles' overwrites together (denies before allows), then the member's own. Without
 * VIEW_CHANNEL nothing is left; without SEND_MESSAGES, neither are the permissions that need it.
 */
export function channelPermissions(
  guild: PermissionContext,
  member: MemberContext,
  overwrites: readonly Overwrite[],
): bigint {
  const base = basePermissions(guild, member);
  // Owner and administrators (ALL_PERMISSIONS includes ADMINISTRATOR) are above overwrites.
  if (base === ALL_PERMISSIONS) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === "role" && o.id === guild.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  const held = new Set(member.roleIds);
  for (const o of overwrites) {
    if (o.type === "role" && o.id !== guild.guildId && held.has(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const own = overwrites.find((o) => o.type === "member" && o.id === member.fid);
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  permissions &= ALL_PERMISSIONS;
  if (!(permissions & Permission.VIEW_CHANNEL)) return 0n;
  if (!(permissions & Permission.SEND_MESSAGES)) permissions &= ~NEEDS_SEND;
  return permissions;
}

export function hasPermission(permissions: bigint, wanted: bigint): boolean {
  return (permissions & wanted) === wanted;
}

/** Parses the wire form (a decimal string of a non-negative integer); undefined when malformed. */
export function parsePermissions(text: unknown): bigint | undefined {
  if (typeof text !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < 1n << 64n ? value : undefined;
}

export function formatPermissions(permissions: bigint): string {
  return permissions.toString(10);
}

/**
 * Discord's role hierarchy: every role has a position (@everyone 0, higher is more powerful), and the
 * owner ranks above all of them. ADMINISTRATOR does not lift anyone in it.
 */
export interface RoleHierarchy {
  readonly ownerFid: string;
  /** Position of each role by ID; unknown IDs count as 0. */
  readonly positions: ReadonlyMap<string, number>;
}

/** The position of a member's highest role: 0 with @everyone alone, +Infinity for the owner. */
export function highestPosition(hierarchy: RoleHierarchy, member: MemberContext): number {
  if (member.fid === hierarchy.ownerFid) return Number.POSITIVE_INFINITY;
  let highest = 0;
  for (const roleId of member.roleIds) highest = Math.max(highest, hierarchy.positions.get(roleId) ?? 0);
  return highest;
}

/** Whether `actor` may edit, move, delete, give or take a role at `position`: only below their highest. */
export function canManageRole(hierarchy: RoleHierarchy, actor: MemberContext, position: number): boolean {
  return highestPosition(hierarchy, actor) > position;
}

/**
 * Whether `actor` may kick or ban `target` (given the permission): never the owner or themselves, and
 * only members whose highest role is below the actor's.
 */
export function outranks(hierarchy: RoleHierarchy, actor: MemberContext, target: MemberContext): boolean {
  if (target.fid === hierarchy.ownerFid || target.fid === actor.fid) return false;
  return highestPosition(hierarchy, actor) > highestPosition(hierarchy, target);
}
