/** Completed key trials, published for transparency at GET /.p2/core/v1/keytrial/{fid} (core §4.1.1). */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

export interface CompletedKeyTrial {
  /** The challenge string that was signed; single-use, so it identifies the trial. */
  readonly challenge: string;
  readonly fid: string;
  /** Serial of the ID-Cert whose key signed it, decimal. */
  readonly certSerial: string;
  /** Ed25519 signature over the UTF-8 challenge, lowercase hex. */
  readonly signature: string;
  readonly completedAt: number;
}

export interface KeyTrialQuery {
  /** Only trials completed at or after this unix ms. */
  readonly notBefore?: number;
  /** Only trials completed at or before this unix ms. */
  readonly notAfter?: number;
  /** Only the trial of this challenge. */
  readonly challenge?: string;
  /** At most this many (0 or unset: no limit). */
  readonly limit?: number;
}

export interface KeyTrialStore {
  /** Records a completed trial; false when that challenge was recorded already. */
  record(trial: CompletedKeyTrial): Promise<boolean>;
  /** The actor's completed trials matching the query, oldest first. */
  list(fid: string, query?: KeyTrialQuery): Promise<CompletedKeyTrial[]>;
}

export class KyselyKeyTrialStore implements KeyTrialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(trial: CompletedKeyTrial): Promise<boolean> {
    const result = await this.db
      .insertInto("keyTrials")
      .values(trial)
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async list(fid: string, query: KeyTrialQuery = {}): Promise<CompletedKeyTrial[]> {
    let select = this.db.selectFrom("keyTrials").selectAll().where("fid", "=", fid);
    if (query.notBefore !== undefined) select = select.where("completedAt", ">=", query.notBefore);
    if (query.notAfter !== undefined) select = select.where("completedAt", "<=", query.notAfter);
    if (query.challenge !== undefined) select = select.where("challenge", "=", query.challenge);
    if (query.limit) select = select.limit(query.limit);
    return select.orderBy("completedAt").orderBy("challenge").execute();
  }
}
