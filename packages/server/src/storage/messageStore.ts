/**
 * Chat messages (PROFILE §6, §7.1): the signed envelope exactly as it was verified (RFC 8785 text) and
 * its signature, the latest edit, flags (deleted, pinned, system), the reply target and who is
 * mentioned. Deletion keeps a tombstone (ID, channel, author, nonce) so a replayed nonce never brings a
 * message back; its content, reactions, mentions and attachments go.
 */
import type { Kysely, Selectable } from "kysely";
import { sql } from "kysely";
import { toFlag } from "./database.js";
import type { MessageDatabase, MessagesTable } from "./messageTables.js";
import { inMessageTransaction, withMessageTables } from "./messageTables.js";
import type { Database } from "./schema.js";

export interface MessageEdit {
  /** RFC 8785 text of the signed `chat.edit` envelope. */
  readonly envelope: string;
  readonly signature: string;
  /** The edit envelope's `ts` (unix ms): a later edit must not be older. */
  readonly ts: number;
}

export interface MessageRecord {
  /** ULID, assigned on receipt: history order. */
  readonly id: string;
  readonly channelId: string;
  /** The envelope's author; '' for system messages. */
  readonly authorFid: string;
  readonly nonce: string;
  /** RFC 8785 text of the signed envelope ('' once deleted). */
  readonly envelope: string;
  /** Lowercase hex ('' for system messages and once deleted). */
  readonly signature: string;
  readonly receivedAt: number;
  readonly edit: MessageEdit | null;
  readonly deleted: boolean;
  /** When it was pinned (unix ms), or null. */
  readonly pinnedAt: number | null;
  readonly system: boolean;
  readonly replyTo: string | null;
  readonly mentionEveryone: boolean;
}

export interface NewMessage {
  readonly id: string;
  readonly channelId: string;
  readonly authorFid: string;
  readonly nonce: string;
  readonly envelope: string;
  readonly signature: string;
  readonly receivedAt: number;
  readonly system: boolean;
  readonly replyTo: string | null;
  readonly mentionEveryone: boolean;
  /** FIDs mentioned (deduplicated by the caller). */
  readonly mentions: readonly string[];
  /** Attachments of the author to claim for this message: each must be unclaimed and theirs. */
  readonly attachmentIds: readonly string[];
}

export type MessageInsertResult =
  | { readonly outcome: "inserted" }
  /** The author already used this nonce: the message stored then (nothing was written now). */
  | { readonly outcome: "duplicate"; readonly existing: MessageRecord }
  /** An attachment is unknown, not the author's, or already part of another message. */
  | { readonly outcome: "attachments-unavailable" };

export interface HistoryPage {
  /** Messages with a smaller ID (or equal, with `inclusive`). */
  readonly before?: string;
  /** Messages with a greater ID. */
  readonly after?: string;
  readonly inclusive?: boolean;
  readonly limit: number;
}

export interface ChannelCounts {
  /** Messages after the last read one, not deleted, not the reader's own. */
  readonly unreadCount: number;
  /** Of those, the ones mentioning the reader (by FID or @everyone). */
  readonly mentionCount: number;
  /** The newest message of the channel (anyone's), or null when it has none. */
  readonly lastMessageId: string | null;
}

export type DeleteResult =
  | { readonly deleted: false }
  /** Attachments that belonged to the message (their rows are gone; the caller removes the files). */
  | { readonly deleted: true; readonly attachmentIds: readonly string[] };

export interface MessageStore {
  /**
   * Stores a message with its mentions and claims its attachments, all or nothing. A message whose
   * (author, nonce) exists is not stored again: the stored one comes back as `duplicate`.
   */
  insert(message: NewMessage): Promise<MessageInsertResult>;
  /** A message by ID, whatever its state (deleted ones included), or undefined. */
  find(id: string): Promise<MessageRecord | undefined>;
  /** The message an author sent with this nonce (deleted ones included), or undefined. */
  findByNonce(authorFid: string, nonce: string): Promise<MessageRecord | undefined>;
  /**
   * One page of a channel's history, deleted messages left out, newest first. `before`: the `limit`
   * newest below it; `after`: the `limit` oldest above it; neither: the `limit` newest. Not both.
   */
  page(channelId: string, page: HistoryPage): Promise<MessageRecord[]>;
  /**
   * Records an edit unless the message is deleted or already has an edit with a newer `ts`; true when
   * recorded. An edit with the same `ts` as the stored one replaces it (the caller rules out replays).
   */
  setEdit(id: string, edit: MessageEdit): Promise<boolean>;
  /**
   * Deletes a message: keeps a tombstone, drops its content, edit, pin, mentions, reactions and its
   * attachments' rows. `deleted: false` when it was unknown or already deleted.
   */
  delete(id: string): Promise<DeleteResult>;
  /** Pins (at `pinnedAt`) or unpins (null) a live message; false when unknown, deleted or unchanged. */
  setPinned(id: string, pinnedAt: number | null): Promise<boolean>;
  /** The channel's pinned messages, most recently pinned first. */
  pins(channelId: string): Promise<MessageRecord[]>;
  countPins(channelId: string): Promise<number>;
  /** Unread and mention counts of `fid` in a channel after `lastReadId` (null: from the start). */
  counts(fid: string, channelId: string, lastReadId: string | null): Promise<ChannelCounts>;
  /** Channels with a live message mentioning `fid` by FID (not @everyone). */
  channelsMentioning(fid: string): Promise<string[]>;
  /** Removes everything of a channel (its messages, mentions, reactions, attachment rows and read states). */
  deleteChannel(channelId: string): Promise<{ readonly attachmentIds: readonly string[] }>;
}

function toRecord(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: row.id,
    channelId: row.channelId,
    authorFid: row.authorFid,
    nonce: row.nonce,
    envelope: row.envelope,
    signature: row.signature,
    receivedAt: row.receivedAt,
    edit:
      row.editEnvelope !== null && row.editSignature !== null && row.editTs !== null
        ? { envelope: row.editEnvelope, signature: row.editSignature, ts: row.editTs }
        : null,
    deleted: row.deleted === 1,
    pinnedAt: row.pinnedAt,
    system: row.system === 1,
    replyTo: row.replyTo,
    mentionEveryone: row.mentionEveryone === 1,
  };
}

export class KyselyMessageStore implements MessageStore {
  private readonly db: Kysely<MessageDatabase>;

  /** Plain messages waiting for the next batched INSERT (see `flush`). */
  private pending: PendingInsert[] = [];

  constructor(db: Kysely<Database>) {
    this.db = withMessageTables(db);
  }

  async insert(message: NewMessage): Promise<MessageInsertResult> {
    const { mentions, attachmentIds } = message;
    // Named one by one: callers may pass a whole MessageRecord, whose other fields are not columns.
    const row: MessageRow = {
      id: message.id,
      channelId: message.channelId,
      authorFid: message.authorFid,
      nonce: message.nonce,
      envelope: message.envelope,
      signature: message.signature,
      receivedAt: message.receivedAt,
      replyTo: message.replyTo,
      system: toFlag(message.system),
      mentionEveryone: toFlag(message.mentionEveryone),
      deleted: toFlag(false),
    };
    // The common case (no mentions, no attachments): one row of a batched statement.
    if (mentions.length === 0 && attachmentIds.length === 0) {
      if (this.db.isTransaction) return this.insertRow(this.db, row);
      return new Promise((resolve, reject) => {
        this.pending.push({ row, resolve, reject });
        if (this.pending.length === 1) setImmediate(() => void this.flush());
      });
    }
    try {
      return await inMessageTransaction(this.db, async (trx) => {
        const inserted = await this.insertRow(trx, row);
        if (inserted.outcome !== "inserted") return inserted;
        if (mentions.length > 0) {
          await trx
            .insertInto("messageMentions")
            .values(mentions.map((fid) => ({ messageId: message.id, channelId: message.channelId, fid })))
            .execute();
        }
        if (attachmentIds.length > 0) {
          const claimed = await trx
            .updateTable("attachments")
            .set({ messageId: message.id, channelId: message.channelId })
            .where("id", "in", attachmentIds)
            .where("uploaderFid", "=", message.authorFid)
            .where("messageId", "is", null)
            .executeTakeFirst();
          if (Number(claimed.numUpdatedRows) !== attachmentIds.length) throw new AttachmentsUnavailable();
        }
        return inserted;
      });
    } catch (error) {
      if (error instanceof AttachmentsUnavailable) return { outcome: "attachments-unavailable" };
      throw error;
    }
  }

  /**
   * Group commit: the plain messages of one event-loop turn go in one multi-row INSERT — one statement,
   * one transaction, one fsync (SQLite) or one round trip (PostgreSQL) — instead of one each. Rows whose
   * (author, nonce) exists (or repeats within the batch) are left out by ON CONFLICT DO NOTHING; RETURNING
   * says which went in.
   */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      const chunk = batch.slice(start, start + MAX_BATCH);
      try {
        const inserted = await this.db
          .insertInto("messages")
          .values(chunk.map((item) => item.row))
          .onConflict((conflict) => conflict.columns(["authorFid", "nonce"]).doNothing())
          .returning("id")
          .execute();
        const ids = new Set(inserted.map((row) => row.id));
        for (const item of chunk) {
          if (ids.has(item.row.id)) item.resolve({ outcome: "inserted" });
          else this.duplicateOf(this.db, item.row).then(item.resolve, item.reject);
        }
      } catch (error) {
        for (const item of chunk) item.reject(error);
      }
    }
  }

  private async duplicateOf(db: Kysely<MessageDatabase>, row: MessageRow): Promise<MessageInsertResult> {
    const existing = await this.findByNonceIn(db, row.authorFid, row.nonce);
    // The conflict was on (author, nonce), so the row exists (rows are never removed but with their channel).
    if (!existing) throw new Error("message insert conflicted but no message has that nonce");
    return { outcome: "duplicate", existing };
  }

  private async insertRow(db: Kysely<MessageDatabase>, row: MessageRow): Promise<MessageInsertResult> {
    const result = await db
      .insertInto("messages")
      .values(row)
      .onConflict((conflict) => conflict.columns(["authorFid", "nonce"]).doNothing())
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 1n) return { outcome: "inserted" };
    return this.duplicateOf(db, row);
  }

  async find(id: string): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  }

  findByNonce(authorFid: string, nonce: string): Promise<MessageRecord | undefined> {
    return this.findByNonceIn(this.db, authorFid, nonce);
  }

  private async findByNonceIn(
    db: Kysely<MessageDatabase>,
    authorFid: string,
    nonce: string,
  ): Promise<MessageRecord | undefined> {
    const row = await db
      .selectFrom("messages")
      .selectAll()
      .where("authorFid", "=", authorFid)
      .where("nonce", "=", nonce)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async page(channelId: string, page: HistoryPage): Promise<MessageRecord[]> {
    if (page.before !== undefined && page.after !== undefined)
      throw new Error("page: before and after together");
    let query = this.db
      .selectFrom("messages")
      .selectAll()
      .where("channelId", "=", channelId)
      .where("deleted", "=", 0)
      .limit(page.limit);
    if (page.after !== undefined) {
      const rows = await query
        .where("id", page.inclusive ? ">=" : ">", page.after)
        .orderBy("id", "asc")
        .execute();
      return rows.reverse().map(toRecord);
    }
    if (page.before !== undefined) query = query.where("id", page.inclusive ? "<=" : "<", page.before);
    const rows = await query.orderBy("id", "desc").execute();
    return rows.map(toRecord);
  }

  async setEdit(id: string, edit: MessageEdit): Promise<boolean> {
    const result = await this.db
      .updateTable("messages")
      .set({ editEnvelope: edit.envelope, editSignature: edit.signature, editTs: edit.ts })
      .where("id", "=", id)
      .where("deleted", "=", 0)
      .where((eb) => eb.or([eb("editTs", "is", null), eb("editTs", "<=", edit.ts)]))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  delete(id: string): Promise<DeleteResult> {
    return inMessageTransaction(this.db, async (trx) => {
      const result = await trx
        .updateTable("messages")
        .set({
          deleted: 1,
          envelope: "",
          signature: "",
          editEnvelope: null,
          editSignature: null,
          editTs: null,
          pinnedAt: null,
          mentionEveryone: 0,
        })
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return { deleted: false };
      await trx.deleteFrom("messageMentions").where("messageId", "=", id).execute();
      await trx.deleteFrom("messageReactions").where("messageId", "=", id).execute();
      const attachments = await trx
        .deleteFrom("attachments")
        .where("messageId", "=", id)
        .returning("id")
        .execute();
      return { deleted: true, attachmentIds: attachments.map((a) => a.id) };
    });
  }

  async setPinned(id: string, pinnedAt: number | null): Promise<boolean> {
    const result = await this.db
      .updateTable("messages")
      .set({ pinnedAt })
      .where("id", "=", id)
      .where("deleted", "=", 0)
      .where("pinnedAt", pinnedAt === null ? "is not" : "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async pins(channelId: string): Promise<MessageRecord[]> {
    const rows = await this.db
      .selectFrom("messages")
      .selectAll()
      .where("channelId", "=", channelId)
      .where("pinnedAt", "is not", null)
      .orderBy("pinnedAt", "desc")
      .orderBy("id", "desc")
      .execute();
    return rows.map(toRecord);
  }

  async countPins(channelId: string): Promise<number> {
    const row = await this.db
      .selectFrom("messages")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("channelId", "=", channelId)
      .where("pinnedAt", "is not", null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async counts(fid: string, channelId: string, lastReadId: string | null): Promise<ChannelCounts> {
    const mentioned = sql<number>`case when ${sql.ref("mentionEveryone")} = 1 or exists (
        select 1 from message_mentions mm where mm.message_id = messages.id and mm.fid = ${fid}
      ) then 1 else 0 end`;
    const unread = await this.db
      .selectFrom("messages")
      .select((eb) => [
        eb.fn.countAll<number>().as("unread"),
        eb.fn.sum<number | null>(mentioned).as("mentions"),
      ])
      .where("channelId", "=", channelId)
      .where("deleted", "=", 0)
      .where("authorFid", "<>", fid)
      .$if(lastReadId !== null, (q) => q.where("id", ">", lastReadId!))
      .executeTakeFirstOrThrow();
    const last = await this.db
      .selectFrom("messages")
      .select("id")
      .where("channelId", "=", channelId)
      .where("deleted", "=", 0)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return {
      unreadCount: Number(unread.unread),
      mentionCount: Number(unread.mentions ?? 0),
      lastMessageId: last?.id ?? null,
    };
  }

  async channelsMentioning(fid: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("messageMentions")
      .select("channelId")
      .distinct()
      .where("fid", "=", fid)
      .orderBy("channelId")
      .execute();
    return rows.map((r) => r.channelId);
  }

  deleteChannel(channelId: string): Promise<{ readonly attachmentIds: readonly string[] }> {
    return inMessageTransaction(this.db, async (trx) => {
      await trx.deleteFrom("messageMentions").where("channelId", "=", channelId).execute();
      await trx.deleteFrom("messageReactions").where("channelId", "=", channelId).execute();
      await trx.deleteFrom("readStates").where("channelId", "=", channelId).execute();
      const attachments = await trx
        .deleteFrom("attachments")
        .where("channelId", "=", channelId)
        .returning("id")
        .execute();
      await trx.deleteFrom("messages").where("channelId", "=", channelId).execute();
      return { attachmentIds: attachments.map((a) => a.id) };
    });
  }
}

class AttachmentsUnavailable extends Error {}

/** The columns a new message is inserted with. */
type MessageRow = Omit<Selectable<MessagesTable>, "editEnvelope" | "editSignature" | "editTs" | "pinnedAt">;

interface PendingInsert {
  readonly row: MessageRow;
  resolve(result: MessageInsertResult): void;
  reject(error: unknown): void;
}

/** Rows per INSERT: 11 parameters each stays far below SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_BATCH = 500;
