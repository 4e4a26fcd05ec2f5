/** Guild members and the roles they hold (PROFILE §7). Local and foreign actors alike, by FID. */
import type { Kysely } from "kysely";
import type { Page } from "./guildStore.js";
import { type GuildDatabase, withGuildTables } from "./guildTables.js";
import type { Database } from "./schema.js";

export interface MemberRecord {
  readonly guildId: string;
  readonly fid: string;
  readonly joinedAt: number;
  /** Role IDs held, ascending; never the @everyone role (everyone holds it). */
  readonly roleIds: readonly string[];
}

export interface MemberStore {
  /** Adds a member without roles; false when `fid` already is one. */
  add(member: { guildId: string; fid: string; joinedAt: number }): Promise<boolean>;
  find(guildId: string, fid: string): Promise<MemberRecord | undefined>;
  /** Members by ascending FID (`page.after` is an FID). */
  list(guildId: string, page: Page): Promise<MemberRecord[]>;
  count(guildId: string): Promise<number>;
  /** Removes the member and their roles; false when `fid` was none. */
  remove(guildId: string, fid: string): Promise<boolean>;
  /** Gives a member a role; false when they are no member or already hold it. */
  addRole(guildId: string, fid: string, roleId: string): Promise<boolean>;
  /** False when the member did not hold the role. */
  removeRole(guildId: string, fid: string, roleId: string): Promise<boolean>;
}

export class KyselyMemberStore implements MemberStore {
  private readonly db: Kysely<GuildDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withGuildTables(db);
  }

  async add(member: { guildId: string; fid: string; joinedAt: number }): Promise<boolean> {
    const result = await this.db
      .insertInto("members")
      .values(member)
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(guildId: string, fid: string): Promise<MemberRecord | undefined> {
    const [member] = await this.list(guildId, { limit: 1, only: fid });
    return member;
  }

  async list(guildId: string, page: Page & { only?: string }): Promise<MemberRecord[]> {
    let query = this.db.selectFrom("members").selectAll().where("guildId", "=", guildId);
    if (page.only !== undefined) query = query.where("fid", "=", page.only);
    if (page.after !== undefined) query = query.where("fid", ">", page.after);
    const rows = await query.orderBy("fid").limit(page.limit).execute();
    if (rows.length === 0) return [];
    const first = rows[0]!.fid;
    const last = rows[rows.length - 1]!.fid;
    const roleRows = await this.db
      .selectFrom("memberRoles")
      .select(["fid", "roleId"])
      .where("guildId", "=", guildId)
      .where("fid", ">=", first)
      .where("fid", "<=", last)
      .orderBy("roleId")
      .execute();
    const roles = new Map<string, string[]>();
    for (const { fid, roleId } of roleRows) {
      const list = roles.get(fid) ?? [];
      list.push(roleId);
      roles.set(fid, list);
    }
    return rows.map((row) => ({ ...row, roleIds: roles.get(row.fid) ?? [] }));
  }

  async count(guildId: string): Promise<number> {
    const row = await this.db
      .selectFrom("members")
      .select((eb) => eb.fn.countAll<number | string>().as("count"))
      .where("guildId", "=", guildId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async remove(guildId: string, fid: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("members")
      .where("guildId", "=", guildId)
      .where("fid", "=", fid)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async addRole(guildId: string, fid: string, roleId: string): Promise<boolean> {
    // The composite foreign key refuses a non-member; a conflict means the role is held already.
    const member = await this.db
      .selectFrom("members")
      .select("fid")
      .where("guildId", "=", guildId)
      .where("fid", "=", fid)
      .executeTakeFirst();
    if (!member) return false;
    const result = await this.db
      .insertInto("memberRoles")
      .values({ guildId, fid, roleId })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async removeRole(guildId: string, fid: string, roleId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("memberRoles")
      .where("guildId", "=", guildId)
      .where("fid", "=", fid)
      .where("roleId", "=", roleId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
