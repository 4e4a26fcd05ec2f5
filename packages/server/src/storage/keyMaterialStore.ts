/** Encrypted private key material actors park on their home server (core §6.3). Opaque to us. */
import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Database } from "./schema.js";

export interface KeyMaterial {
  readonly fid: string;
  /** Serial of the ID-Cert whose private key this is, decimal. */
  readonly certSerial: string;
  /** The client's encrypted blob, base64 (ASCII, so its length is its size in bytes). */
  readonly material: string;
  readonly createdAt: number;
}

export interface KeyMaterialStore {
  /** Stores material for a cert; false when the actor already has material for that serial. */
  put(material: KeyMaterial): Promise<boolean>;
  /** The actor's material, for the given serials or all; ordered by serial. */
  list(fid: string, certSerials?: readonly string[]): Promise<KeyMaterial[]>;
  /** Deletes the actor's material for these serials; how many were deleted. */
  delete(fid: string, certSerials: readonly string[]): Promise<number>;
  /** Total size in bytes of the actor's stored material (0 when none), for quotas. */
  totalSize(fid: string): Promise<number>;
}

export class KyselyKeyMaterialStore implements KeyMaterialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(material: KeyMaterial): Promise<boolean> {
    const result = await this.db
      .insertInto("keyMaterial")
      .values(material)
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async list(fid: string, certSerials?: readonly string[]): Promise<KeyMaterial[]> {
    let select = this.db.selectFrom("keyMaterial").selectAll().where("fid", "=", fid);
    if (certSerials !== undefined) {
      if (certSerials.length === 0) return [];
      select = select.where("certSerial", "in", certSerials);
    }
    return select.orderBy("certSerial").execute();
  }

  async delete(fid: string, certSerials: readonly string[]): Promise<number> {
    if (certSerials.length === 0) return 0;
    const result = await this.db
      .deleteFrom("keyMaterial")
      .where("fid", "=", fid)
      .where("certSerial", "in", certSerials)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async totalSize(fid: string): Promise<number> {
    // sum() of integer lengths: integer on SQLite, bigint (parsed as a number) on PostgreSQL.
    const row = await this.db
      .selectFrom("keyMaterial")
      .select(sql<number | null>`sum(length(material))`.as("size"))
      .where("fid", "=", fid)
      .executeTakeFirstOrThrow();
    return Number(row.size ?? 0);
  }
}
