/** Guild bans (PROFILE §7): a banned actor is no member and cannot join again until unbanned. */
import type { Kysely } from "kysely";
import type { Page } from "./guildStore.js";
import { type GuildDatabase, withGuildTables } from "./guildTables.js";
import type { Database } from "./schema.js";

export interface BanRecord {
  readonly guildId: string;
  readonly fid: string;
  readonly reason: string | null;
  readonly bannedByFid: string;
  readonly createdAt: number;
}

export interface BanStore {
  /** Bans (again): creates or replaces the ban of `ban.fid` in the guild. */
  put(ban: BanRecord): Promise<void>;
  find(guildId: string, fid: string): Promise<BanRecord | undefined>;
  /** Bans by ascending FID (`page.after` is an FID). */
  list(guildId: string, page: Page): Promise<BanRecord[]>;
  /** Lifts the ban; false when there was none. */
  delete(guildId: string, fid: string): Promise<boolean>;
}

export class KyselyBanStore implements BanStore {
  private readonly db: Kysely<GuildDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withGuildTables(db);
  }

  async put(ban: BanRecord): Promise<void> {
    const { reason, bannedByFid, createdAt } = ban;
    await this.db
      .insertInto("bans")
      .values(ban)
      .onConflict((conflict) =>
        conflict.columns(["guildId", "fid"]).doUpdateSet({ reason, bannedByFid, createdAt }),
      )
      .execute();
  }

  async find(guildId: string, fid: string): Promise<BanRecord | undefined> {
    return this.db
      .selectFrom("bans")
      .selectAll()
      .where("guildId", "=", guildId)
      .where("fid", "=", fid)
      .executeTakeFirst();
  }

  async list(guildId: string, page: Page): Promise<BanRecord[]> {
    let query = this.db.selectFrom("bans").selectAll().where("guildId", "=", guildId);
    if (page.after !== undefined) query = query.where("fid", ">", page.after);
    return query.orderBy("fid").limit(page.limit).execute();
  }

  async delete(guildId: string, fid: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("bans")
      .where("guildId", "=", guildId)
      .where("fid", "=", fid)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
