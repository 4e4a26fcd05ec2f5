/** Guild invites (PROFILE §7.1): a code for a channel, with optional use limit and expiry. */
import type { Kysely } from "kysely";
import { type GuildDatabase, withGuildTables } from "./guildTables.js";
import type { Database } from "./schema.js";

export interface GuildInviteRecord {
  readonly code: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly inviterFid: string;
  /** Joins so far. */
  readonly uses: number;
  /** Null: unlimited. */
  readonly maxUses: number | null;
  /** Unix ms after which the code no longer works; null: never expires. */
  readonly expiresAt: number | null;
  readonly createdAt: number;
}

export interface GuildInviteStore {
  /** Inserts a new invite; false when the code exists. */
  create(invite: GuildInviteRecord): Promise<boolean>;
  /** The invite with this code, used up or expired included, or undefined. */
  find(code: string): Promise<GuildInviteRecord | undefined>;
  /** A guild's invites, newest first. */
  listOfGuild(guildId: string): Promise<GuildInviteRecord[]>;
  /**
   * Counts one use, atomically: true when the code was known, unexpired at `now` and below its
   * maximum (concurrent redemptions of a last use: exactly one wins).
   */
  redeem(code: string, now: number): Promise<boolean>;
  /** False when there was none. */
  delete(code: string): Promise<boolean>;
}

export class KyselyGuildInviteStore implements GuildInviteStore {
  private readonly db: Kysely<GuildDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withGuildTables(db);
  }

  async create(invite: GuildInviteRecord): Promise<boolean> {
    const result = await this.db
      .insertInto("guildInvites")
      .values(invite)
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(code: string): Promise<GuildInviteRecord | undefined> {
    return this.db.selectFrom("guildInvites").selectAll().where("code", "=", code).executeTakeFirst();
  }

  async listOfGuild(guildId: string): Promise<GuildInviteRecord[]> {
    return this.db
      .selectFrom("guildInvites")
      .selectAll()
      .where("guildId", "=", guildId)
      .orderBy("createdAt", "desc")
      .orderBy("code")
      .execute();
  }

  async redeem(code: string, now: number): Promise<boolean> {
    // One conditional UPDATE: the row lock (PostgreSQL) or the single writer (SQLite) picks the winner.
    const result = await this.db
      .updateTable("guildInvites")
      .set((eb) => ({ uses: eb("uses", "+", 1) }))
      .where("code", "=", code)
      .where((eb) => eb.or([eb("maxUses", "is", null), eb("uses", "<", eb.ref("maxUses"))]))
      .where((eb) => eb.or([eb("expiresAt", "is", null), eb("expiresAt", ">", now)]))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async delete(code: string): Promise<boolean> {
    const result = await this.db.deleteFrom("guildInvites").where("code", "=", code).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
