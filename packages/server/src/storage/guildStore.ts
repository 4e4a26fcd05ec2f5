/** Guilds (PROFILE §7): they live on their creator's home server; everything in one belongs to it. */
import { type Kysely, type Selectable, sql } from "kysely";
import { toFlag } from "./database.js";
import { type GuildDatabase, type GuildsTable, withGuildTables } from "./guildTables.js";
import type { Database } from "./schema.js";

export interface GuildRecord {
  /** ULID; also the ID of the guild's @everyone role. */
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly icon: string | null;
  readonly ownerFid: string;
  /** Listed by discovery and joinable without an invite. */
  readonly isPublic: boolean;
  readonly createdAt: number;
}

export type GuildChanges = Partial<Pick<GuildRecord, "name" | "description" | "icon" | "isPublic">>;

export interface Page {
  /** Largest number of records to return. */
  readonly limit: number;
  /** Only records whose key (ID, FID) sorts after this one. */
  readonly after?: string | undefined;
}

export interface GuildStore {
  /** Inserts a new guild; false when the ID exists. */
  create(guild: GuildRecord): Promise<boolean>;
  find(id: string): Promise<GuildRecord | undefined>;
  /** Applies the changes; the updated guild, or undefined when there is none. */
  update(id: string, changes: GuildChanges): Promise<GuildRecord | undefined>;
  /** Deletes the guild and everything in it (channels, roles, members, bans, invites); false when none. */
  delete(id: string): Promise<boolean>;
  /** Public guilds by ascending ID. */
  listPublic(page: Page): Promise<GuildRecord[]>;
  /** The guilds `fid` is a member of, by ascending ID. */
  listOfMember(fid: string): Promise<GuildRecord[]>;
  /**
   * Inside a transaction: takes the guild row's write lock (a no-op UPDATE, portable), so membership
   * changes of one guild (join, ban, invite redemption) are serialised. False when the guild is gone.
   */
  lock(id: string): Promise<boolean>;
}

function toRecord(row: Selectable<GuildsTable>): GuildRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    ownerFid: row.ownerFid,
    isPublic: row.isPublic === 1,
    createdAt: row.createdAt,
  };
}

export class KyselyGuildStore implements GuildStore {
  private readonly db: Kysely<GuildDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withGuildTables(db);
  }

  async create(guild: GuildRecord): Promise<boolean> {
    const { isPublic, ...rest } = guild;
    const result = await this.db
      .insertInto("guilds")
      .values({ ...rest, isPublic: toFlag(isPublic) })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(id: string): Promise<GuildRecord | undefined> {
    const row = await this.db.selectFrom("guilds").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  }

  async update(id: string, changes: GuildChanges): Promise<GuildRecord | undefined> {
    const { isPublic, ...rest } = changes;
    const values = { ...rest, ...(isPublic === undefined ? {} : { isPublic: toFlag(isPublic) }) };
    if (Object.keys(values).length > 0) {
      await this.db.updateTable("guilds").set(values).where("id", "=", id).execute();
    }
    return this.find(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("guilds").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async listPublic(page: Page): Promise<GuildRecord[]> {
    let query = this.db.selectFrom("guilds").selectAll().where("isPublic", "=", 1);
    if (page.after !== undefined) query = query.where("id", ">", page.after);
    const rows = await query.orderBy("id").limit(page.limit).execute();
    return rows.map(toRecord);
  }

  async listOfMember(fid: string): Promise<GuildRecord[]> {
    const rows = await this.db
      .selectFrom("guilds")
      .innerJoin("members", "members.guildId", "guilds.id")
      .selectAll("guilds")
      .where("members.fid", "=", fid)
      .orderBy("guilds.id")
      .execute();
    return rows.map(toRecord);
  }

  async lock(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable("guilds")
      .set({ id: sql.ref("id") })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
