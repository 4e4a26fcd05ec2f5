/** ID-Certs this server issued to its actors' sessions (core §6.1, PROFILE §1). */
import type { Kysely } from "kysely";
import { inTransaction, lockAccount } from "./database.js";
import type { Database } from "./schema.js";

export interface IdCertRecord {
  /** Decimal serial number, unique per server (below 2^63, hence text). */
  readonly serial: string;
  readonly fid: string;
  readonly sessionId: string;
  readonly certPem: string;
  /** The session's Ed25519 public key, lowercase hex. */
  readonly publicKeyHex: string;
  /** Validity period, unix ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Unix ms when the cert was revoked; null while it is not. */
  readonly invalidatedAt: number | null;
  readonly createdAt: number;
}

export type IdCertInsertResult = "inserted" | "session-in-use" | "serial-in-use";

export interface IdCertStore {
  /**
   * Stores a newly issued cert unless its session ID is in use at `now` — by a cert of the same
   * actor that is neither invalidated nor expired (PROFILE §1: unique among the actor's valid certs).
   * Check and insert happen under the account's lock, so two concurrent issues cannot both win.
   */
  insert(cert: IdCertRecord, now: number): Promise<IdCertInsertResult>;
  /** The cert with this serial, whatever its state, or undefined. */
  find(serial: string): Promise<IdCertRecord | undefined>;
  /** The actor's cert valid at `at` for this session ID, or undefined. */
  findValidForSession(fid: string, sessionId: string, at: number): Promise<IdCertRecord | undefined>;
  /** Every cert of the actor, revoked and expired ones included, oldest first. */
  list(fid: string): Promise<IdCertRecord[]>;
  /** The actor's certs valid at `at` (inside their validity, not invalidated by then), oldest first. */
  listValid(fid: string, at: number): Promise<IdCertRecord[]>;
  /** Revokes the cert as of `at`; false when unknown or already invalidated. */
  invalidate(serial: string, at: number): Promise<boolean>;
}

export class KyselyIdCertStore implements IdCertStore {
  constructor(private readonly db: Kysely<Database>) {}

  insert(cert: IdCertRecord, now: number): Promise<IdCertInsertResult> {
    return inTransaction(this.db, async (trx) => {
      await lockAccount(trx, cert.fid);
      const taken = await trx
        .selectFrom("idCerts")
        .select("serial")
        .where("fid", "=", cert.fid)
        .where("sessionId", "=", cert.sessionId)
        .where("invalidatedAt", "is", null)
        .where("notAfter", ">", now)
        .executeTakeFirst();
      if (taken) return "session-in-use";
      const result = await trx
        .insertInto("idCerts")
        .values(cert)
        .onConflict((conflict) => conflict.column("serial").doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? "inserted" : "serial-in-use";
    });
  }

  async find(serial: string): Promise<IdCertRecord | undefined> {
    return this.db.selectFrom("idCerts").selectAll().where("serial", "=", serial).executeTakeFirst();
  }

  async findValidForSession(fid: string, sessionId: string, at: number): Promise<IdCertRecord | undefined> {
    return this.validAt(fid, at).where("sessionId", "=", sessionId).executeTakeFirst();
  }

  async list(fid: string): Promise<IdCertRecord[]> {
    return this.db
      .selectFrom("idCerts")
      .selectAll()
      .where("fid", "=", fid)
      .orderBy("notBefore")
      .orderBy("serial")
      .execute();
  }

  async listValid(fid: string, at: number): Promise<IdCertRecord[]> {
    return this.validAt(fid, at).orderBy("notBefore").orderBy("serial").execute();
  }

  async invalidate(serial: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("idCerts")
      .set({ invalidatedAt: at })
      .where("serial", "=", serial)
      .where("invalidatedAt", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  private validAt(fid: string, at: number) {
    return this.db
      .selectFrom("idCerts")
      .selectAll()
      .where("fid", "=", fid)
      .where("notBefore", "<=", at)
      .where("notAfter", ">", at)
      .where((eb) => eb.or([eb("invalidatedAt", "is", null), eb("invalidatedAt", ">", at)]));
  }
}
