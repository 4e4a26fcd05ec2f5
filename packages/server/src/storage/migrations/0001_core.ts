/**
 * The polyproto core tables (PROFILE §1–§3). Portable SQL for SQLite and PostgreSQL alike: text ids
 * and serials (ID-Cert serials go up to 2^63, past JavaScript numbers), bigint unix-ms timestamps,
 * integer 0/1 flags, partial unique indexes (both dialects have them).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not follow schema.ts
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("fid", "text", (c) => c.primaryKey())
    .addColumn("local_name", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("totp_secret", "text")
    // PROFILE §1: FIDs are stored lowercased.
    .addCheckConstraint("accounts_fid_lowercase", sql`fid = lower(fid)`)
    .execute();

  await db.schema
    .createTable("registration_invites")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("created_by_fid", "text", (c) => c.notNull())
    .addColumn("uses_left", "integer")
    .addColumn("expires_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("id_certs")
    .addColumn("serial", "text", (c) => c.primaryKey())
    .addColumn("fid", "text", (c) => c.notNull().references("accounts.fid").onDelete("cascade"))
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("cert_pem", "text", (c) => c.notNull())
    .addColumn("public_key_hex", "text", (c) => c.notNull())
    .addColumn("not_before", "bigint", (c) => c.notNull())
    .addColumn("not_after", "bigint", (c) => c.notNull())
    .addColumn("invalidated_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("id_certs_fid_session").on("id_certs").columns(["fid", "session_id"]).execute();

  await db.schema
    .createTable("session_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("cert_serial", "text", (c) => c.notNull())
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("is_foreign", "integer", (c) => c.notNull())
    .addColumn("foreign_cert_pem", "text")
    .addColumn("foreign_domain", "text")
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addCheckConstraint(
      "session_tokens_foreign_actor",
      sql`is_foreign = 0 or (foreign_cert_pem is not null and foreign_domain is not null)`,
    )
    .execute();
  // PROFILE §3: one live token per ID-Cert; the upsert in the store relies on this index.
  await db.schema
    .createIndex("session_tokens_one_per_cert")
    .on("session_tokens")
    .columns(["fid", "cert_serial"])
    .unique()
    .execute();

  await db.schema
    .createTable("challenges")
    .addColumn("challenge", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .execute();

  await db.schema
    .createTable("key_trials")
    .addColumn("challenge", "text", (c) => c.primaryKey())
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("cert_serial", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addColumn("completed_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("key_trials_fid").on("key_trials").columns(["fid", "completed_at"]).execute();

  await db.schema
    .createTable("services")
    .addColumn("fid", "text", (c) => c.notNull().references("accounts.fid").onDelete("cascade"))
    .addColumn("service", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("is_primary", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("services_pk", ["fid", "service", "url"])
    .execute();
  // core §9.1.1: one primary provider per actor and service.
  await db.schema
    .createIndex("services_one_primary")
    .on("services")
    .columns(["fid", "service"])
    .unique()
    .where(sql.ref("is_primary"), "=", 1)
    .execute();

  await db.schema
    .createTable("key_material")
    .addColumn("fid", "text", (c) => c.notNull().references("accounts.fid").onDelete("cascade"))
    .addColumn("cert_serial", "text", (c) => c.notNull())
    .addColumn("material", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("key_material_pk", ["fid", "cert_serial"])
    .execute();

  await db.schema
    .createTable("server_keys")
    .addColumn("serial", "text", (c) => c.primaryKey())
    .addColumn("cert_pem", "text", (c) => c.notNull())
    .addColumn("not_before", "bigint", (c) => c.notNull())
    .addColumn("not_after", "bigint", (c) => c.notNull())
    .addColumn("invalidated_at", "bigint")
    .addColumn("is_current", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("server_keys_one_current")
    .on("server_keys")
    .column("is_current")
    .unique()
    .where(sql.ref("is_current"), "=", 1)
    .execute();

  await db.schema
    .createTable("foreign_certs")
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("serial", "text", (c) => c.notNull())
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("cacheable_json", "text", (c) => c.notNull())
    .addColumn("fetched_at", "bigint", (c) => c.notNull())
    .addColumn("cache_not_valid_after", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("foreign_certs_pk", ["domain", "serial"])
    .execute();
  await db.schema.createIndex("foreign_certs_fid").on("foreign_certs").column("fid").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "foreign_certs",
    "server_keys",
    "key_material",
    "services",
    "key_trials",
    "challenges",
    "session_tokens",
    "id_certs",
    "registration_invites",
    "accounts",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
