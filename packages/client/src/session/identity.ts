/** The session a `P2Client` acts as: its actor, session ID, identity key and current ID-Cert. */
import type { IdCert, SigningKey } from "@p2chat/polyproto";

export interface SessionIdentity {
  readonly fid: string;
  readonly sessionId: string;
  /** The actor's home server (the FID's domain). */
  readonly homeDomain: string;
  readonly signingKey: SigningKey;
  readonly idCert: IdCert;
}
