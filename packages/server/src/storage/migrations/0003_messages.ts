/**
 * The message side of polyproto-chat (PROFILE §6, §7, §7.1): signed messages with their edits,
 * mentions, reactions, read states and attachments. Portable SQL as in 0001: text ULIDs, bigint unix-ms
 * times, integer 0/1 flags, partial indexes (both dialects have them). No foreign keys to the guild
 * side's tables: a message names its channel by ID, and the guild side decides who sees it.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not follow the schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("channel_id", "text", (c) => c.notNull())
    // The envelope's author; '' for system messages (authored by the server, PROFILE §7).
    .addColumn("author_fid", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    // RFC 8785 text of the signed envelope and its signature as received (PROFILE §6); '' once deleted.
    .addColumn("envelope", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addColumn("received_at", "bigint", (c) => c.notNull())
    // The latest accepted `chat.edit`, and its envelope's ts (edits only move forward).
    .addColumn("edit_envelope", "text")
    .addColumn("edit_signature", "text")
    .addColumn("edit_ts", "bigint")
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pinned_at", "bigint")
    .addColumn("system", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reply_to", "text")
    .addColumn("mention_everyone", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // PROFILE §6: the same (author, nonce) is one message, whatever the number of retries.
  await db.schema
    .createIndex("messages_author_nonce")
    .on("messages")
    .columns(["author_fid", "nonce"])
    .unique()
    .execute();
  // History pages (before/after/around an ID) walk this index.
  await db.schema.createIndex("messages_channel_id").on("messages").columns(["channel_id", "id"]).execute();
  await db.schema
    .createIndex("messages_channel_pins")
    .on("messages")
    .columns(["channel_id", "pinned_at"])
    .where(sql.ref("pinned_at"), "is not", null)
    .execute();

  await db.schema
    .createTable("message_mentions")
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("fid", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("message_mentions_pk", ["message_id", "fid"])
    .execute();
  // Mention counts: an actor's mentions in a channel after their last read message.
  await db.schema
    .createIndex("message_mentions_fid")
    .on("message_mentions")
    .columns(["fid", "channel_id", "message_id"])
    .execute();

  await db.schema
    .createTable("message_reactions")
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("emoji", "text", (c) => c.notNull())
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    // The signed `chat.reaction` (RFC 8785 text) and its signature, so anyone can re-verify it.
    .addColumn("envelope", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("message_reactions_pk", ["message_id", "emoji", "fid"])
    .execute();

  await db.schema
    .createTable("read_states")
    .addColumn("fid", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("last_read_id", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("read_states_pk", ["fid", "channel_id"])
    .execute();

  await db.schema
    .createTable("attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("uploader_fid", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("filename", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    // Set once, when a message of the uploader references it; then it is served to that message's readers.
    .addColumn("message_id", "text")
    .addColumn("channel_id", "text")
    .execute();
  await db.schema.createIndex("attachments_message").on("attachments").column("message_id").execute();
  await db.schema
    .createIndex("attachments_unclaimed")
    .on("attachments")
    .columns(["uploader_fid", "created_at"])
    .where(sql.ref("message_id"), "is", null)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["attachments", "read_states", "message_reactions", "message_mentions", "messages"]) {
    await db.schema.dropTable(table).execute();
  }
}
