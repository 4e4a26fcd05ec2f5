/**
 * Reactions to messages (PROFILE §7.1): one row per (message, emoji, actor), each with the signed
 * `chat.reaction` envelope (RFC 8785 text) and signature that added it.
 */
import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { MessageDatabase } from "./messageTables.js";
import { withMessageTables } from "./messageTables.js";
import type { Database } from "./schema.js";

export interface ReactionRecord {
  readonly messageId: string;
  readonly emoji: string;
  readonly fid: string;
  readonly channelId: string;
  readonly envelope: string;
  readonly signature: string;
  readonly createdAt: number;
}

/** How a message's reactions look to one viewer. */
export interface ReactionSummary {
  readonly emoji: string;
  readonly count: number;
  /** Whether the viewer is among those who reacted. */
  readonly me: boolean;
}

export type ReactionAddResult = "added" | "exists" | "no-message";

export interface ReactionStore {
  /**
   * Adds a reaction to a live (not deleted) message in one statement: `exists` when the actor
   * already reacted with this emoji, `no-message` when the message is unknown or deleted.
   */
  add(reaction: ReactionRecord): Promise<ReactionAddResult>;
  /** Removes one actor's reaction; false when there was none. */
  remove(messageId: string, emoji: string, fid: string): Promise<boolean>;
  /** How many actors reacted to the message with this emoji. */
  count(messageId: string, emoji: string): Promise<number>;
  /** How many distinct emoji the message has. */
  countEmoji(messageId: string): Promise<number>;
  /** The reactions of each message (absent: none), emoji in the order they were first used. */
  summaries(messageIds: readonly string[], viewerFid: string): Promise<Map<string, ReactionSummary[]>>;
  /** The reactions with one emoji, by FID, after `afterFid` (exclusive), at most `limit`. */
  list(
    messageId: string,
    emoji: string,
    afterFid: string | undefined,
    limit: number,
  ): Promise<ReactionRecord[]>;
  /** One actor's reaction, or undefined. */
  find(messageId: string, emoji: string, fid: string): Promise<ReactionRecord | undefined>;
}

export class KyselyReactionStore implements ReactionStore {
  private readonly db: Kysely<MessageDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withMessageTables(db);
  }

  async add(reaction: ReactionRecord): Promise<ReactionAddResult> {
    // INSERT … SELECT … WHERE the message is live: a reaction never lands on a deleted message,
    // even when the deletion races it (deletion removes reactions in its own transaction).
    const result = await this.db
      .insertInto("messageReactions")
      .columns(["messageId", "emoji", "fid", "channelId", "envelope", "signature", "createdAt"])
      .expression((eb) =>
        eb
          .selectFrom("messages")
          .select([
            "messages.id",
            eb.val(reaction.emoji).as("emoji"),
            eb.val(reaction.fid).as("fid"),
            "messages.channelId",
            eb.val(reaction.envelope).as("envelope"),
            eb.val(reaction.signature).as("signature"),
            eb.val(reaction.createdAt).as("createdAt"),
          ])
          .where("messages.id", "=", reaction.messageId)
          .where("messages.channelId", "=", reaction.channelId)
          .where("messages.deleted", "=", 0),
      )
      .onConflict((conflict) => conflict.columns(["messageId", "emoji", "fid"]).doNothing())
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 1n) return "added";
    return (await this.find(reaction.messageId, reaction.emoji, reaction.fid)) ? "exists" : "no-message";
  }

  async remove(messageId: string, emoji: string, fid: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("messageReactions")
      .where("messageId", "=", messageId)
      .where("emoji", "=", emoji)
      .where("fid", "=", fid)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async count(messageId: string, emoji: string): Promise<number> {
    const row = await this.db
      .selectFrom("messageReactions")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("messageId", "=", messageId)
      .where("emoji", "=", emoji)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async countEmoji(messageId: string): Promise<number> {
    const row = await this.db
      .selectFrom("messageReactions")
      .select(sql<number>`count(distinct emoji)`.as("count"))
      .where("messageId", "=", messageId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async summaries(messageIds: readonly string[], viewerFid: string): Promise<Map<string, ReactionSummary[]>> {
    const summaries = new Map<string, ReactionSummary[]>();
    if (messageIds.length === 0) return summaries;
    const rows = await this.db
      .selectFrom("messageReactions")
      .select((eb) => [
        "messageId",
        "emoji",
        eb.fn.countAll<number>().as("count"),
        eb.fn.max(sql<number>`case when fid = ${viewerFid} then 1 else 0 end`).as("me"),
        eb.fn.min("createdAt").as("first"),
      ])
      .where("messageId", "in", messageIds)
      .groupBy(["messageId", "emoji"])
      .orderBy("messageId")
      .orderBy("first")
      .orderBy("emoji")
      .execute();
    for (const row of rows) {
      let list = summaries.get(row.messageId);
      if (!list) {
        list = [];
        summaries.set(row.messageId, list);
      }
      list.push({ emoji: row.emoji, count: Number(row.count), me: Number(row.me) === 1 });
    }
    return summaries;
  }

  async list(
    messageId: string,
    emoji: string,
    afterFid: string | undefined,
    limit: number,
  ): Promise<ReactionRecord[]> {
    return this.db
      .selectFrom("messageReactions")
      .selectAll()
      .where("messageId", "=", messageId)
      .where("emoji", "=", emoji)
      .$if(afterFid !== undefined, (q) => q.where("fid", ">", afterFid!))
      .orderBy("fid")
      .limit(limit)
      .execute();
  }

  async find(messageId: string, emoji: string, fid: string): Promise<ReactionRecord | undefined> {
    return this.db
      .selectFrom("messageReactions")
      .selectAll()
      .where("messageId", "=", messageId)
      .where("emoji", "=", emoji)
      .where("fid", "=", fid)
      .executeTakeFirst();
  }
}
