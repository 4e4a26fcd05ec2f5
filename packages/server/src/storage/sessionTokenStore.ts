/** Session tokens, stored only as SHA-256 hashes (PROFILE §3). */
import type { Kysely, Selectable } from "kysely";
import type { Database, SessionTokensTable } from "./schema.js";

interface SessionTokenBase {
  /** Lowercase hex SHA-256 of the token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly fid: string;
  readonly certSerial: string;
  readonly sessionId: string;
  /** Unix ms after which the token is dead (at the latest when its cert expires). */
  readonly expiresAt: number;
  readonly createdAt: number;
}

/** A token of an actor whose home server this is (login). */
export interface LocalSessionToken extends SessionTokenBase {
  readonly foreign: false;
}

/** A token of an actor from another home server, authenticated by key trial (core §4.1.1). */
export interface ForeignSessionToken extends SessionTokenBase {
  readonly foreign: true;
  /** The ID-Cert the actor proved possession of, PEM. */
  readonly certPem: string;
  /** The actor's home server. */
  readonly homeDomain: string;
}

export type SessionToken = LocalSessionToken | ForeignSessionToken;

export interface SessionTokenStore {
  /** Stores the token, replacing the live token of the same (fid, certSerial) if there is one. */
  put(token: SessionToken): Promise<void>;
  /** The token with this hash if it has not expired at `now`, else undefined. */
  findLive(tokenHash: string, now: number): Promise<SessionToken | undefined>;
  /** Deletes one token (logout); false when there was none. */
  delete(tokenHash: string): Promise<boolean>;
  /** Deletes the token of a cert (revoked or replaced); how many were deleted. */
  deleteForCert(fid: string, certSerial: string): Promise<number>;
  /** Deletes tokens expired at `now`; how many were deleted. */
  deleteExpired(now: number): Promise<number>;
}

function toSessionToken(row: Selectable<SessionTokensTable>): SessionToken {
  const { isForeign, foreignCertPem, foreignDomain, ...base } = row;
  if (isForeign === 1) {
    // The table's check constraint guarantees both for foreign tokens.
    return { ...base, foreign: true, certPem: foreignCertPem!, homeDomain: foreignDomain! };
  }
  return { ...base, foreign: false };
}

export class KyselySessionTokenStore implements SessionTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(token: SessionToken): Promise<void> {
    const row: Selectable<SessionTokensTable> = {
      tokenHash: token.tokenHash,
      fid: token.fid,
      certSerial: token.certSerial,
      sessionId: token.sessionId,
      isForeign: token.foreign ? 1 : 0,
      foreignCertPem: token.foreign ? token.certPem : null,
      foreignDomain: token.foreign ? token.homeDomain : null,
      expiresAt: token.expiresAt,
      createdAt: token.createdAt,
    };
    // One statement, so concurrent logins for one cert still leave exactly one live token.
    const { fid: _fid, certSerial: _certSerial, ...replacement } = row;
    await this.db
      .insertInto("sessionTokens")
      .values(row)
      .onConflict((conflict) => conflict.columns(["fid", "certSerial"]).doUpdateSet(replacement))
      .execute();
  }

  async findLive(tokenHash: string, now: number): Promise<SessionToken | undefined> {
    const row = await this.db
      .selectFrom("sessionTokens")
      .selectAll()
      .where("tokenHash", "=", tokenHash)
      .where("expiresAt", ">", now)
      .executeTakeFirst();
    return row && toSessionToken(row);
  }

  async delete(tokenHash: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("sessionTokens")
      .where("tokenHash", "=", tokenHash)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async deleteForCert(fid: string, certSerial: string): Promise<number> {
    const result = await this.db
      .deleteFrom("sessionTokens")
      .where("fid", "=", fid)
      .where("certSerial", "=", certSerial)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("sessionTokens").where("expiresAt", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
