/** Read states (PROFILE §7.1): per actor and channel, the last message the actor has read. */
import type { Kysely } from "kysely";
import type { MessageDatabase } from "./messageTables.js";
import { withMessageTables } from "./messageTables.js";
import type { Database } from "./schema.js";

export interface ReadStateRecord {
  readonly fid: string;
  readonly channelId: string;
  /** The ID of the last message read. */
  readonly lastReadId: string;
  readonly updatedAt: number;
}

export interface ReadStateStore {
  /** Sets the actor's last read message in a channel (forwards or backwards: "mark unread"). */
  set(state: ReadStateRecord): Promise<void>;
  find(fid: string, channelId: string): Promise<ReadStateRecord | undefined>;
  /** Every read state of the actor, by channel ID. */
  list(fid: string): Promise<ReadStateRecord[]>;
}

export class KyselyReadStateStore implements ReadStateStore {
  private readonly db: Kysely<MessageDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withMessageTables(db);
  }

  async set(state: ReadStateRecord): Promise<void> {
    await this.db
      .insertInto("readStates")
      .values(state)
      .onConflict((conflict) =>
        conflict
          .columns(["fid", "channelId"])
          .doUpdateSet({ lastReadId: state.lastReadId, updatedAt: state.updatedAt }),
      )
      .execute();
  }

  find(fid: string, channelId: string): Promise<ReadStateRecord | undefined> {
    return this.db
      .selectFrom("readStates")
      .selectAll()
      .where("fid", "=", fid)
      .where("channelId", "=", channelId)
      .executeTakeFirst();
  }

  list(fid: string): Promise<ReadStateRecord[]> {
    return this.db.selectFrom("readStates").selectAll().where("fid", "=", fid).orderBy("channelId").execute();
  }
}
