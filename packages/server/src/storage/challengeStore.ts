/** Key-trial challenges this server hands out to foreign actors (core §4.1.1, PROFILE §3). */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

export interface Challenge {
  readonly challenge: string;
  /** Unix ms after which the challenge can no longer be consumed. */
  readonly expiresAt: number;
}

export interface ChallengeStore {
  /** Stores a new challenge; false when the same string exists already. */
  create(challenge: Challenge): Promise<boolean>;
  /**
   * Marks the challenge used, atomically: true only for the one caller that finds it known, unexpired
   * at `now` and unused; every other (concurrent or later) caller gets false.
   */
  consume(challenge: string, now: number): Promise<boolean>;
  /** Deletes challenges expired at `now`, used or not; how many were deleted. */
  deleteExpired(now: number): Promise<number>;
}

export class KyselyChallengeStore implements ChallengeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(challenge: Challenge): Promise<boolean> {
    const result = await this.db
      .insertInto("challenges")
      .values({ ...challenge, consumedAt: null })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async consume(challenge: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable("challenges")
      .set({ consumedAt: now })
      .where("challenge", "=", challenge)
      .where("consumedAt", "is", null)
      .where("expiresAt", ">", now)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("challenges").where("expiresAt", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
