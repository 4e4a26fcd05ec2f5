/**
 * The tables of migration 0002 as Kysely sees them (the guild side of chat). Kept beside `schema.ts`
 * rather than in it, like the message side's: the guild stores widen their `Kysely<Database>` with
 * `withGuildTables`. Same conventions: camelCase here, snake_case in SQL, bigint unix-ms times read as
 * numbers, flags 0/1, permission bitfields as decimal text. Nothing outside storage/ sees these.
 */
import type { Kysely } from "kysely";
import type { Database, Flag } from "./schema.js";

export interface GuildsTable {
  id: string;
  name: string;
  description: string | null;
  icon: string | null;
  ownerFid: string;
  isPublic: Flag;
  createdAt: number;
}

export interface ChannelsTable {
  id: string;
  guildId: string | null;
  type: number;
  name: string;
  topic: string | null;
  parentId: string | null;
  position: number;
  isEncrypted: Flag;
  ownerFid: string | null;
  createdAt: number;
}

export interface ChannelOverwritesTable {
  channelId: string;
  targetId: string;
  targetType: "role" | "member";
  /** Permission bitfields as decimal text (they reach 2^64). */
  allow: string;
  deny: string;
}

export interface RolesTable {
  id: string;
  guildId: string;
  name: string;
  /** Decimal text. */
  permissions: string;
  position: number;
  color: number;
  createdAt: number;
}

export interface MembersTable {
  guildId: string;
  fid: string;
  joinedAt: number;
}

export interface MemberRolesTable {
  guildId: string;
  fid: string;
  roleId: string;
}

export interface BansTable {
  guildId: string;
  fid: string;
  reason: string | null;
  bannedByFid: string;
  createdAt: number;
}

export interface GuildInvitesTable {
  code: string;
  guildId: string;
  channelId: string;
  inviterFid: string;
  uses: number;
  maxUses: number | null;
  expiresAt: number | null;
  createdAt: number;
}

export type GuildTables = {
  guilds: GuildsTable;
  channels: ChannelsTable;
  channelOverwrites: ChannelOverwritesTable;
  roles: RolesTable;
  members: MembersTable;
  memberRoles: MemberRolesTable;
  bans: BansTable;
  guildInvites: GuildInvitesTable;
};

export type GuildDatabase = Database & GuildTables;

/** The shared handle, widened by the guild tables (a transaction stays a transaction). */
export function withGuildTables(db: Kysely<Database>): Kysely<GuildDatabase> {
  return db.withTables<GuildTables>() as unknown as Kysely<GuildDatabase>;
}
