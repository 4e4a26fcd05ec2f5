/**
 * Session tokens (PROFILE §3): 256 random bits, base64url, stored only as SHA-256 hashes; one live
 * token per ID-Cert per server (a new one replaces the old); dead when the cert expires or is revoked,
 * or on logout. Local actors get them at login or for a new cert; foreign actors by key trial.
 */
import { createHash, randomBytes } from "node:crypto";
import type { SessionToken, SessionTokenStore } from "../../storage/sessionTokenStore.js";

/** Who is calling: what a route learns from a valid token. */
export type Session = SessionToken;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface LocalSessionGrant {
  readonly fid: string;
  readonly certSerial: string;
  readonly sessionId: string;
  /** The cert's notAfter (ms): the token dies with the cert. */
  readonly expiresAt: number;
}

export interface ForeignSessionGrant extends LocalSessionGrant {
  readonly certPem: string;
  readonly homeDomain: string;
}

export class SessionService {
  constructor(private readonly tokens: SessionTokenStore) {}

  /** Creates the token of a local actor's cert, replacing the previous one of that cert. */
  grantLocal(grant: LocalSessionGrant, now = Date.now()): Promise<string> {
    return this.store({ ...grant, foreign: false }, now);
  }

  /** Creates the token of a foreign actor who passed a key trial for this cert. */
  grantForeign(grant: ForeignSessionGrant, now = Date.now()): Promise<string> {
    return this.store({ ...grant, foreign: true }, now);
  }

  /** The live session behind a bearer token, or undefined. */
  async resolve(token: string, now = Date.now()): Promise<Session | undefined> {
    if (token.length < 16 || token.length > 256) return undefined;
    return this.tokens.findLive(hashToken(token), now);
  }

  /** The live session with this token hash (a gateway session knows only the hash), or undefined. */
  resolveHash(tokenHash: string, now = Date.now()): Promise<Session | undefined> {
    return this.tokens.findLive(tokenHash, now);
  }

  /** Ends the token of a cert (revocation, replacement by a newer cert). */
  async endForCert(fid: string, certSerial: string): Promise<void> {
    await this.tokens.deleteForCert(fid, certSerial);
  }

  private async store(fields: Omit<SessionToken, "tokenHash" | "createdAt">, now: number): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    await this.tokens.put({ ...fields, tokenHash: hashToken(token), createdAt: now } as SessionToken);
    return token;
  }
}
