/**
 * The guild side of polyproto-chat (PROFILE §7, §7.1): guilds, channels with their permission
 * overwrites, roles, members and their roles, bans and invites. Portable SQL as in 0001: text ULIDs,
 * permission bitfields as decimal text (they reach 2^64, past JavaScript numbers and PostgreSQL's
 * signed bigint), bigint unix-ms times, integer 0/1 flags. Deleting a guild removes everything in it
 * through the foreign keys.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not follow schema.ts
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("guilds")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("icon", "text")
    .addColumn("owner_fid", "text", (c) => c.notNull())
    .addColumn("is_public", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  // Discovery (`GET /guilds?public=true`) pages through public guilds by ID.
  await db.schema.createIndex("guilds_public").on("guilds").columns(["is_public", "id"]).execute();

  await db.schema
    .createTable("channels")
    .addColumn("id", "text", (c) => c.primaryKey())
    // Null for group DMs (type 5), which belong to no guild.
    .addColumn("guild_id", "text", (c) => c.references("guilds.id").onDelete("cascade"))
    .addColumn("type", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("topic", "text")
    .addColumn("parent_id", "text")
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("is_encrypted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("owner_fid", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("channels_guild").on("channels").columns(["guild_id", "position"]).execute();

  await db.schema
    .createTable("channel_overwrites")
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    // A role ID (the guild ID for @everyone) or a member's FID.
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("allow", "text", (c) => c.notNull())
    .addColumn("deny", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("channel_overwrites_pk", ["channel_id", "target_id"])
    .addCheckConstraint("channel_overwrites_type", sql`target_type in ('role', 'member')`)
    .execute();
  await db.schema
    .createIndex("channel_overwrites_target")
    .on("channel_overwrites")
    .column("target_id")
    .execute();

  await db.schema
    .createTable("roles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("guild_id", "text", (c) => c.notNull().references("guilds.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("color", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("roles_guild").on("roles").columns(["guild_id", "position"]).execute();

  await db.schema
    .createTable("members")
    .addColumn("guild_id", "text", (c) => c.notNull().references("guilds.id").onDelete("cascade"))
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("joined_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("members_pk", ["guild_id", "fid"])
    .execute();
  // An actor's guilds (the gateway's topics at Identify).
  await db.schema.createIndex("members_fid").on("members").column("fid").execute();

  await db.schema
    .createTable("member_roles")
    .addColumn("guild_id", "text", (c) => c.notNull())
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("role_id", "text", (c) => c.notNull().references("roles.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("member_roles_pk", ["guild_id", "fid", "role_id"])
    .addForeignKeyConstraint(
      "member_roles_member",
      ["guild_id", "fid"],
      "members",
      ["guild_id", "fid"],
      (c) => c.onDelete("cascade"),
    )
    .execute();
  await db.schema.createIndex("member_roles_role").on("member_roles").column("role_id").execute();

  await db.schema
    .createTable("bans")
    .addColumn("guild_id", "text", (c) => c.notNull().references("guilds.id").onDelete("cascade"))
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("banned_by_fid", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("bans_pk", ["guild_id", "fid"])
    .execute();

  await db.schema
    .createTable("guild_invites")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("guild_id", "text", (c) => c.notNull().references("guilds.id").onDelete("cascade"))
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    .addColumn("inviter_fid", "text", (c) => c.notNull())
    .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
    // Null: unlimited uses / never expires.
    .addColumn("max_uses", "integer")
    .addColumn("expires_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("guild_invites_guild").on("guild_invites").column("guild_id").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "guild_invites",
    "bans",
    "member_roles",
    "members",
    "roles",
    "channel_overwrites",
    "channels",
    "guilds",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
