/**
 * Cache of other home servers' CacheableIDCerts (core §6.4.1, PROFILE §1). An entry past its
 * `cacheNotValidAfter` is never handed out: an expired entry must not verify anything new.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

export interface ForeignCert {
  /** The issuing home server's domain; with the serial, the key of the entry. */
  readonly domain: string;
  readonly serial: string;
  readonly fid: string;
  /** The CacheableIDCert as received, JSON text (its signature covers parts of it; keep it as is). */
  readonly cacheableJson: string;
  readonly fetchedAt: number;
  /** Unix ms (the CacheableIDCert's `cacheNotValidAfter` is in seconds; convert before storing). */
  readonly cacheNotValidAfter: number;
}

export interface ForeignCertStore {
  /** Stores or refreshes the entry for (domain, serial). */
  put(cert: ForeignCert): Promise<void>;
  /** The entry for (domain, serial) if still fresh at `now`, else undefined. */
  findFresh(domain: string, serial: string, now: number): Promise<ForeignCert | undefined>;
  /** The actor's entries still fresh at `now`, most recently fetched first. */
  listFresh(fid: string, now: number): Promise<ForeignCert[]>;
  /** Deletes entries stale at `now`; how many were deleted. */
  deleteStale(now: number): Promise<number>;
}

export class KyselyForeignCertStore implements ForeignCertStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(cert: ForeignCert): Promise<void> {
    const { domain: _domain, serial: _serial, ...refreshed } = cert;
    await this.db
      .insertInto("foreignCerts")
      .values(cert)
      .onConflict((conflict) => conflict.columns(["domain", "serial"]).doUpdateSet(refreshed))
      .execute();
  }

  async findFresh(domain: string, serial: string, now: number): Promise<ForeignCert | undefined> {
    return this.db
      .selectFrom("foreignCerts")
      .selectAll()
      .where("domain", "=", domain)
      .where("serial", "=", serial)
      .where("cacheNotValidAfter", ">", now)
      .executeTakeFirst();
  }

  async listFresh(fid: string, now: number): Promise<ForeignCert[]> {
    return this.db
      .selectFrom("foreignCerts")
      .selectAll()
      .where("fid", "=", fid)
      .where("cacheNotValidAfter", ">", now)
      .orderBy("fetchedAt", "desc")
      .orderBy("serial")
      .execute();
  }

  async deleteStale(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom("foreignCerts")
      .where("cacheNotValidAfter", "<=", now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
