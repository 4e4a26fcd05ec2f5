/**
 * Channels (PROFILE §7: 1 text, 2 thread, 3 forum, 4 category, 5 group DM) and their permission
 * overwrites (role/member allow/deny). Bitfields are bigints here and decimal text in the database.
 */
import type { Kysely, Selectable } from "kysely";
import { toFlag } from "./database.js";
import {
  type ChannelOverwritesTable,
  type ChannelsTable,
  type GuildDatabase,
  withGuildTables,
} from "./guildTables.js";
import type { Database } from "./schema.js";

export interface OverwriteRecord {
  /** A role ID (the guild ID for @everyone) or a member's FID. */
  readonly id: string;
  readonly type: "role" | "member";
  readonly allow: bigint;
  readonly deny: bigint;
}

export interface ChannelRecord {
  readonly id: string;
  /** Null for group DMs. */
  readonly guildId: string | null;
  readonly type: number;
  readonly name: string;
  readonly topic: string | null;
  readonly parentId: string | null;
  /** Order among the channels with the same parent. */
  readonly position: number;
  readonly encrypted: boolean;
  /** Group DMs: their owner. */
  readonly ownerFid: string | null;
  readonly createdAt: number;
  /** Sorted by target ID. */
  readonly overwrites: readonly OverwriteRecord[];
}

export type ChannelChanges = Partial<
  Pick<ChannelRecord, "name" | "topic" | "parentId" | "position" | "encrypted">
>;

export interface ChannelStore {
  /** Inserts the channel with its overwrites; false when the ID exists. */
  create(channel: ChannelRecord): Promise<boolean>;
  find(id: string): Promise<ChannelRecord | undefined>;
  /** A guild's channels, by position then ID (positions count among siblings). */
  listOfGuild(guildId: string): Promise<ChannelRecord[]>;
  /** Applies the changes; the updated channel, or undefined when there is none. */
  update(id: string, changes: ChannelChanges): Promise<ChannelRecord | undefined>;
  /** Sets several channels' parent and position at once (a reorder). */
  place(placements: readonly { id: string; parentId: string | null; position: number }[]): Promise<void>;
  /** Deletes the channel, its overwrites and its invites; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Creates or replaces the overwrite of `overwrite.id` in the channel. */
  putOverwrite(channelId: string, overwrite: OverwriteRecord): Promise<void>;
  /** False when the channel had no overwrite for that target. */
  deleteOverwrite(channelId: string, targetId: string): Promise<boolean>;
  /** Removes every overwrite naming `targetId` in the guild's channels (a role was deleted). */
  deleteOverwritesOf(guildId: string, targetId: string): Promise<void>;
}

function toOverwrite(row: Selectable<ChannelOverwritesTable>): OverwriteRecord {
  return { id: row.targetId, type: row.targetType, allow: BigInt(row.allow), deny: BigInt(row.deny) };
}

function toRecord(row: Selectable<ChannelsTable>, overwrites: OverwriteRecord[]): ChannelRecord {
  return {
    id: row.id,
    guildId: row.guildId,
    type: row.type,
    name: row.name,
    topic: row.topic,
    parentId: row.parentId,
    position: row.position,
    encrypted: row.isEncrypted === 1,
    ownerFid: row.ownerFid,
    createdAt: row.createdAt,
    overwrites,
  };
}

export class KyselyChannelStore implements ChannelStore {
  private readonly db: Kysely<GuildDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withGuildTables(db);
  }

  async create(channel: ChannelRecord): Promise<boolean> {
    const { overwrites, encrypted, ...rest } = channel;
    const result = await this.db
      .insertInto("channels")
      .values({ ...rest, isEncrypted: toFlag(encrypted) })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows !== 1n) return false;
    for (const overwrite of overwrites) await this.putOverwrite(channel.id, overwrite);
    return true;
  }

  async find(id: string): Promise<ChannelRecord | undefined> {
    const row = await this.db.selectFrom("channels").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const overwrites = await this.db
      .selectFrom("channelOverwrites")
      .selectAll()
      .where("channelId", "=", id)
      .orderBy("targetId")
      .execute();
    return toRecord(row, overwrites.map(toOverwrite));
  }

  async listOfGuild(guildId: string): Promise<ChannelRecord[]> {
    const rows = await this.db
      .selectFrom("channels")
      .selectAll()
      .where("guildId", "=", guildId)
      .orderBy("position")
      .orderBy("id")
      .execute();
    if (rows.length === 0) return [];
    const overwriteRows = await this.db
      .selectFrom("channelOverwrites")
      .innerJoin("channels", "channels.id", "channelOverwrites.channelId")
      .selectAll("channelOverwrites")
      .where("channels.guildId", "=", guildId)
      .orderBy("channelOverwrites.targetId")
      .execute();
    const byChannel = new Map<string, OverwriteRecord[]>();
    for (const row of overwriteRows) {
      const list = byChannel.get(row.channelId) ?? [];
      list.push(toOverwrite(row));
      byChannel.set(row.channelId, list);
    }
    return rows.map((row) => toRecord(row, byChannel.get(row.id) ?? []));
  }

  async update(id: string, changes: ChannelChanges): Promise<ChannelRecord | undefined> {
    const { encrypted, ...rest } = changes;
    const values = { ...rest, ...(encrypted === undefined ? {} : { isEncrypted: toFlag(encrypted) }) };
    if (Object.keys(values).length > 0) {
      await this.db.updateTable("channels").set(values).where("id", "=", id).execute();
    }
    return this.find(id);
  }

  async place(
    placements: readonly { id: string; parentId: string | null; position: number }[],
  ): Promise<void> {
    for (const { id, parentId, position } of placements) {
      await this.db.updateTable("channels").set({ parentId, position }).where("id", "=", id).execute();
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("channels").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async putOverwrite(channelId: string, overwrite: OverwriteRecord): Promise<void> {
    const values = {
      targetType: overwrite.type,
      allow: overwrite.allow.toString(),
      deny: overwrite.deny.toString(),
    };
    await this.db
      .insertInto("channelOverwrites")
      .values({ channelId, targetId: overwrite.id, ...values })
      .onConflict((conflict) => conflict.columns(["channelId", "targetId"]).doUpdateSet(values))
      .execute();
  }

  async deleteOverwrite(channelId: string, targetId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("channelOverwrites")
      .where("channelId", "=", channelId)
      .where("targetId", "=", targetId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async deleteOverwritesOf(guildId: string, targetId: string): Promise<void> {
    await this.db
      .deleteFrom("channelOverwrites")
      .where("targetId", "=", targetId)
      .where("channelId", "in", (eb) => eb.selectFrom("channels").select("id").where("guildId", "=", guildId))
      .execute();
  }
}
