/**
 * The polyproto core API's identity routes [core §4, §6, PROFILE §3]: discovery, the server's and
 * actors' certs, new session certs, revocation, root rotation.
 */
import {
  type CacheableIdCert,
  parseIdCert,
  parseIdCsr,
  type PublicKey,
  tryParseFederationId,
  verifyCacheableIdCert,
} from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import type { IdCertRecord, IdCertStore } from "../../storage/idCertStore.js";
import type { AccountService } from "../auth/service.js";
import type { CertificateAuthority } from "../ca/service.js";
import type { Session, SessionService } from "../sessions/service.js";

export interface ActorCertQuery {
  /** UNIX seconds: only certs valid at or after. */
  readonly notBefore?: number;
  /** UNIX seconds: only certs valid at or before. */
  readonly notAfter?: number;
  readonly sessionId?: string;
}

/** What the rest of the server hears when identities change (the gateway's ops 3, 4 and 6). */
export interface IdentityEvents {
  /** A new session (cert) of a local actor: its other sessions are told (op 3). */
  newSession(fid: string, sessionId: string, certPem: string): Promise<void>;
  /** A cert was revoked: its sessions end, everyone is told (op 4). */
  certInvalidated(fid: string, certSerial: string, cacheable: CacheableIdCert): Promise<void>;
  /** The root was rotated (op 6); `oldInvalidSince` in UNIX seconds. */
  serverCertChanged(certPem: string, oldInvalidSince: number): Promise<void>;
}

export class CoreService {
  constructor(
    private readonly deps: {
      readonly ca: CertificateAuthority;
      readonly idCerts: IdCertStore;
      readonly sessions: SessionService;
      readonly accounts: AccountService;
      readonly publicUrl: string;
      readonly events?: IdentityEvents;
      /** A foreign actor's certs, from their home server (the federation client). */
      readonly foreignActorCerts?: (fid: string, sessionId?: string) => Promise<CacheableIdCert[]>;
    },
  ) {}

  wellKnown(): { api: string } {
    return { api: `${this.deps.publicUrl.replace(/\/$/, "")}/.p2/core/` };
  }

  /** The root cert current now, or at `timestamp` (UNIX seconds), as a CacheableIDCert. */
  async serverCert(timestamp?: number): Promise<CacheableIdCert> {
    if (timestamp === undefined) {
      await this.deps.ca.refresh(); // another node may have rotated the root
      return this.deps.ca.cacheableRoot();
    }
    const root = await this.deps.ca.rootAt(timestamp * 1000);
    if (!root) throw new P2Error(404, "P2CORE_NOT_FOUND", "this server had no root cert at that time");
    return this.deps.ca.cacheableRoot(root);
  }

  /**
   * An actor's certs as CacheableIDCerts, revoked ones included (with `invalidatedAt`), filtered by
   * validity overlap with [notBefore, notAfter] and by session ID.
   */
  async actorCerts(fidInput: string, query: ActorCertQuery): Promise<CacheableIdCert[]> {
    const fid = tryParseFederationId(fidInput);
    if (!fid)
      throw new P2Error(
        400,
        "P2CORE_INVALID_FEDERATION_ID",
        `not a federation ID: ${JSON.stringify(fidInput)}`,
      );
    const from = query.notBefore === undefined ? undefined : query.notBefore * 1000;
    const to = query.notAfter === undefined ? undefined : query.notAfter * 1000;
    if (fid.domain !== this.deps.ca.domain) {
      // core §6.4: clients ask the server where the conversation happens; it asks the home server.
      // The time filters apply to our own actors only; the home server's list is passed on whole.
      if (!this.deps.foreignActorCerts)
        throw new P2Error(404, "P2CORE_NOT_FOUND", `${fid.fid} is not an actor of this server`);
      return this.deps.foreignActorCerts(fid.fid, query.sessionId);
    }
    const records = (await this.deps.idCerts.list(fid.fid)).filter(
      (r) =>
        (query.sessionId === undefined || r.sessionId === query.sessionId) &&
        (from === undefined || r.notAfter >= from) &&
        (to === undefined || r.notBefore <= to),
    );
    if (records.length === 0 && !(await this.deps.accounts.exists(fid.fid))) {
      throw new P2Error(404, "P2CORE_NOT_FOUND", `${fid.fid} is not an actor of this server`);
    }
    const now = Date.now();
    return Promise.all(records.map((record) => this.deps.ca.cacheable(record, now)));
  }

  /** POST /idcert: a cert for another session of the caller, and that session's token. */
  async newIdCert(session: Session, csrPem: string): Promise<{ id_cert: string; token: string }> {
    const csr = await parseIdCsr(csrPem);
    const { cert, record } = await this.deps.ca.issue(csr, session.fid);
    const token = await this.deps.sessions.grantLocal({
      fid: record.fid,
      certSerial: record.serial,
      sessionId: record.sessionId,
      expiresAt: record.notAfter,
    });
    await this.deps.events?.newSession(record.fid, record.sessionId, cert.pem);
    return { id_cert: cert.pem, token };
  }

  /** DELETE /session: revokes the session's valid cert and ends its token. */
  async revokeSession(session: Session, sessionId: string): Promise<void> {
    const record = await this.deps.idCerts.findValidForSession(session.fid, sessionId, Date.now());
    if (!record) throw new P2Error(404, "P2CORE_NOT_FOUND", `no valid session ${JSON.stringify(sessionId)}`);
    await this.revoke(record);
  }

  /** POST /key/server (admins): rotates the root; returns the new root PEM. */
  async rotateServerKey(session: Session): Promise<string> {
    if (!(await this.deps.accounts.isAdmin(session.fid))) {
      throw new P2Error(403, "P2CORE_ADMIN_ONLY", "only server administrators may rotate the server key");
    }
    const { cert, oldInvalidSince } = await this.deps.ca.rotate();
    await this.deps.events?.serverCertChanged(cert.pem, Math.floor(oldInvalidSince / 1000));
    return cert.pem;
  }

  /**
   * Checks a client's Actor Certificate Invalidation (op 4): the caller's own cert, marked
   * invalidated, with a cache signature of the cert's home server. Foreign actors' home-server keys
   * come from `foreignRootKey` (the federation client).
   */
  async verifyInvalidation(
    session: Session,
    payload: CacheableIdCert,
    foreignRootKey?: (domain: string) => Promise<PublicKey>,
  ): Promise<boolean> {
    try {
      const cert = await parseIdCert(payload.idCertPem);
      if (cert.fid !== session.fid || payload.invalidatedAt === undefined) return false;
      const rootKey =
        cert.domain === this.deps.ca.domain
          ? this.deps.ca.rootKey.publicKey
          : await foreignRootKey?.(cert.domain);
      if (!rootKey) return false;
      await verifyCacheableIdCert(payload, rootKey);
      return true;
    } catch {
      return false;
    }
  }

  private async revoke(record: IdCertRecord): Promise<void> {
    const now = Date.now();
    await this.deps.idCerts.invalidate(record.serial, now);
    await this.deps.sessions.endForCert(record.fid, record.serial);
    const cacheable = await this.deps.ca.cacheable({ ...record, invalidatedAt: now }, now);
    await this.deps.events?.certInvalidated(record.fid, record.serial, cacheable);
  }
}
