/**
 * Attachment metadata (PROFILE §7.1); the bytes live in `<dataDir>/attachments/<id>`. An attachment
 * belongs to its uploader until a message of theirs claims it (`MessageStore.insert`); from then on
 * it is served to whoever may read that message.
 */
import type { Kysely } from "kysely";
import type { MessageDatabase } from "./messageTables.js";
import { withMessageTables } from "./messageTables.js";
import type { Database } from "./schema.js";

export interface AttachmentRecord {
  /** ULID. */
  readonly id: string;
  readonly uploaderFid: string;
  readonly contentType: string;
  /** Bytes. */
  readonly size: number;
  readonly filename: string | null;
  readonly createdAt: number;
  /** The message that references it, once one does. */
  readonly messageId: string | null;
  readonly channelId: string | null;
}

export interface AttachmentStore {
  /** Stores the metadata of a new, unclaimed upload. */
  insert(attachment: Omit<AttachmentRecord, "messageId" | "channelId">): Promise<void>;
  find(id: string): Promise<AttachmentRecord | undefined>;
  /** The attachments of a message, in upload order. */
  listForMessage(messageId: string): Promise<AttachmentRecord[]>;
  /** Deletes unclaimed uploads older than `before`; their IDs (the caller removes the files). */
  deleteUnclaimed(before: number): Promise<string[]>;
  /** Total bytes of an actor's unclaimed uploads (0 when none), for quotas. */
  unclaimedBytes(uploaderFid: string): Promise<number>;
}

export class KyselyAttachmentStore implements AttachmentStore {
  private readonly db: Kysely<MessageDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withMessageTables(db);
  }

  async insert(attachment: Omit<AttachmentRecord, "messageId" | "channelId">): Promise<void> {
    await this.db
      .insertInto("attachments")
      .values({ ...attachment, messageId: null, channelId: null })
      .execute();
  }

  find(id: string): Promise<AttachmentRecord | undefined> {
    return this.db.selectFrom("attachments").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listForMessage(messageId: string): Promise<AttachmentRecord[]> {
    return this.db
      .selectFrom("attachments")
      .selectAll()
      .where("messageId", "=", messageId)
      .orderBy("id")
      .execute();
  }

  async deleteUnclaimed(before: number): Promise<string[]> {
    const rows = await this.db
      .deleteFrom("attachments")
      .where("messageId", "is", null)
      .where("createdAt", "<", before)
      .returning("id")
      .execute();
    return rows.map((row) => row.id);
  }

  async unclaimedBytes(uploaderFid: string): Promise<number> {
    const row = await this.db
      .selectFrom("attachments")
      .select((eb) => eb.fn.sum<number | null>("size").as("bytes"))
      .where("uploaderFid", "=", uploaderFid)
      .where("messageId", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.bytes ?? 0);
  }
}
