/** Invite codes for `P2_REGISTRATION=invite` (PROFILE §3). */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

export interface RegistrationInvite {
  readonly code: string;
  readonly createdByFid: string;
  /** Registrations this code still allows; null: unlimited. */
  readonly usesLeft: number | null;
  /** Unix ms after which the code no longer works; null: never expires. */
  readonly expiresAt: number | null;
  readonly createdAt: number;
}

export interface RegistrationInviteStore {
  /** Inserts a new invite; false when the code exists. */
  create(invite: RegistrationInvite): Promise<boolean>;
  /** The invite with this code, used up or expired included, or undefined. */
  find(code: string): Promise<RegistrationInvite | undefined>;
  /** Every invite, newest first. */
  list(): Promise<RegistrationInvite[]>;
  /**
   * Uses the code once, atomically: true when it was known, unexpired at `now` and had a use left
   * (concurrent redeems of a last use: exactly one wins).
   */
  redeem(code: string, now: number): Promise<boolean>;
  /** Deletes the invite; false when there was none. */
  delete(code: string): Promise<boolean>;
}

export class KyselyRegistrationInviteStore implements RegistrationInviteStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(invite: RegistrationInvite): Promise<boolean> {
    const result = await this.db
      .insertInto("registrationInvites")
      .values(invite)
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(code: string): Promise<RegistrationInvite | undefined> {
    return this.db.selectFrom("registrationInvites").selectAll().where("code", "=", code).executeTakeFirst();
  }

  async list(): Promise<RegistrationInvite[]> {
    return this.db.selectFrom("registrationInvites").selectAll().orderBy("createdAt", "desc").execute();
  }

  async redeem(code: string, now: number): Promise<boolean> {
    // One conditional UPDATE: the row lock (PostgreSQL) or the single writer (SQLite) picks the winner.
    const result = await this.db
      .updateTable("registrationInvites")
      .set((eb) => ({ usesLeft: eb("usesLeft", "-", 1) }))
      .where("code", "=", code)
      .where((eb) => eb.or([eb("usesLeft", "is", null), eb("usesLeft", ">", 0)]))
      .where((eb) => eb.or([eb("expiresAt", "is", null), eb("expiresAt", ">", now)]))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async delete(code: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("registrationInvites")
      .where("code", "=", code)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
