/**
 * The history of this server's root certificates (core §6.1, PROFILE §1). Only certificates live
 * here; the private key of the current one is a file in the data directory, never in the database.
 */
import type { Kysely, Selectable } from "kysely";
import { inTransaction } from "./database.js";
import type { Database, ServerKeysTable } from "./schema.js";

export interface ServerKey {
  readonly serial: string;
  readonly certPem: string;
  /** Validity period, unix ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Unix ms when the cert was revoked; null while it is not. */
  readonly invalidatedAt: number | null;
  /** The one root cert new ID-Certs are issued under. */
  readonly current: boolean;
}

export interface ServerKeyStore {
  /**
   * Stores a new root cert and makes it the current one; the previous current cert stays in the
   * history (not invalidated) but loses the flag, in the same transaction. False when the serial exists.
   */
  insertCurrent(key: Omit<ServerKey, "current" | "invalidatedAt">): Promise<boolean>;
  /** The current root cert, or undefined before the first one is made. */
  current(): Promise<ServerKey | undefined>;
  /** The root cert with this serial, or undefined. */
  find(serial: string): Promise<ServerKey | undefined>;
  /** The root cert valid at `at` (newest first when several were), or undefined. */
  validAt(at: number): Promise<ServerKey | undefined>;
  /** Every root cert, newest first. */
  list(): Promise<ServerKey[]>;
  /** Revokes a root cert as of `at`; false when unknown or already invalidated. */
  invalidate(serial: string, at: number): Promise<boolean>;
}

function toServerKey(row: Selectable<ServerKeysTable>): ServerKey {
  const { isCurrent, ...rest } = row;
  return { ...rest, current: isCurrent === 1 };
}

export class KyselyServerKeyStore implements ServerKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  insertCurrent(key: Omit<ServerKey, "current" | "invalidatedAt">): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const exists = await trx
        .selectFrom("serverKeys")
        .select("serial")
        .where("serial", "=", key.serial)
        .executeTakeFirst();
      if (exists) return false;
      await trx.updateTable("serverKeys").set({ isCurrent: 0 }).where("isCurrent", "=", 1).execute();
      await trx
        .insertInto("serverKeys")
        .values({ ...key, invalidatedAt: null, isCurrent: 1 })
        .execute();
      return true;
    });
  }

  async current(): Promise<ServerKey | undefined> {
    const row = await this.db
      .selectFrom("serverKeys")
      .selectAll()
      .where("isCurrent", "=", 1)
      .executeTakeFirst();
    return row && toServerKey(row);
  }

  async find(serial: string): Promise<ServerKey | undefined> {
    const row = await this.db
      .selectFrom("serverKeys")
      .selectAll()
      .where("serial", "=", serial)
      .executeTakeFirst();
    return row && toServerKey(row);
  }

  async validAt(at: number): Promise<ServerKey | undefined> {
    const row = await this.db
      .selectFrom("serverKeys")
      .selectAll()
      .where("notBefore", "<=", at)
      .where("notAfter", ">", at)
      .where((eb) => eb.or([eb("invalidatedAt", "is", null), eb("invalidatedAt", ">", at)]))
      .orderBy("notBefore", "desc")
      .orderBy("serial", "desc")
      .executeTakeFirst();
    return row && toServerKey(row);
  }

  async list(): Promise<ServerKey[]> {
    const rows = await this.db
      .selectFrom("serverKeys")
      .selectAll()
      .orderBy("notBefore", "desc")
      .orderBy("serial", "desc")
      .execute();
    return rows.map(toServerKey);
  }

  async invalidate(serial: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("serverKeys")
      .set({ invalidatedAt: at })
      .where("serial", "=", serial)
      .where("invalidatedAt", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
