/**
 * Guild roles (PROFILE §7): a permission bitfield (bigint here, decimal text in the database), a
 * position in the guild's hierarchy (@everyone at 0, its ID the guild's) and a color.
 */
import type { Kysely, Selectable } from "kysely";
import { type GuildDatabase, type RolesTable, withGuildTables } from "./guildTables.js";
import type { Database } from "./schema.js";

export interface RoleRecord {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
  readonly permissions: bigint;
  /** Higher is more powerful; @everyone is 0. */
  readonly position: number;
  /** 0xRRGGBB; 0 for none. */
  readonly color: number;
  readonly createdAt: number;
}

export type RoleChanges = Partial<Pick<RoleRecord, "name" | "permissions" | "color">>;

export interface RoleStore {
  /** Inserts a new role; false when the ID exists. */
  create(role: RoleRecord): Promise<boolean>;
  find(id: string): Promise<RoleRecord | undefined>;
  /** A guild's roles by ascending position (then ID): @everyone first. */
  listOfGuild(guildId: string): Promise<RoleRecord[]>;
  /** Applies the changes; the updated role, or undefined when there is none. */
  update(id: string, changes: RoleChanges): Promise<RoleRecord | undefined>;
  /** Sets several roles' positions at once (a reorder). */
  setPositions(positions: readonly { id: string; position: number }[]): Promise<void>;
  /** Deletes the role (members lose it); false when there was none. */
  delete(id: string): Promise<boolean>;
}

function toRecord(row: Selectable<RolesTable>): RoleRecord {
  return { ...row, permissions: BigInt(row.permissions) };
}

export class KyselyRoleStore implements RoleStore {
  private readonly db: Kysely<GuildDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = withGuildTables(db);
  }

  async create(role: RoleRecord): Promise<boolean> {
    const result = await this.db
      .insertInto("roles")
      .values({ ...role, permissions: role.permissions.toString() })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(id: string): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom("roles").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  }

  async listOfGuild(guildId: string): Promise<RoleRecord[]> {
    const rows = await this.db
      .selectFrom("roles")
      .selectAll()
      .where("guildId", "=", guildId)
      .orderBy("position")
      .orderBy("id")
      .execute();
    return rows.map(toRecord);
  }

  async update(id: string, changes: RoleChanges): Promise<RoleRecord | undefined> {
    const { permissions, ...rest } = changes;
    const values = { ...rest, ...(permissions === undefined ? {} : { permissions: permissions.toString() }) };
    if (Object.keys(values).length > 0) {
      await this.db.updateTable("roles").set(values).where("id", "=", id).execute();
    }
    return this.find(id);
  }

  async setPositions(positions: readonly { id: string; position: number }[]): Promise<void> {
    for (const { id, position } of positions) {
      await this.db.updateTable("roles").set({ position }).where("id", "=", id).execute();
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("roles").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
