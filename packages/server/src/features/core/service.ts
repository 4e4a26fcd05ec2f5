/**
 * The polyproto core API's identity routes [core §4, §6, PROFILE §3]: discovery, the server's and
 * actors' certs, new session certs, revocation, root rotation.
 */
import { type CacheableIdCert, parseIdCsr, tryParseFederationId } from "@p2chat/polyproto";
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

/** What happens elsewhere when identities change (the gateway's op 4 and op 6, once it exists). */
export interface IdentityEvents {
  certInvalidated?(fid: string, cacheable: CacheableIdCert): void;
  serverCertChanged?(cert: string, oldInvalidSince: number): void;
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
    },
  ) {}

  wellKnown(): { api: string } {
    return { api: `${this.deps.publicUrl.replace(/\/$/, "")}/.p2/core/` };
  }

  /** The root cert current now, or at `timestamp` (UNIX seconds), as a CacheableIDCert. */
  async serverCert(timestamp?: number): Promise<CacheableIdCert> {
    if (timestamp === undefined) return this.deps.ca.cacheableRoot();
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
    if (fid.domain !== this.deps.ca.domain) {
      throw new P2Error(404, "P2CORE_NOT_FOUND", `${fid.fid} is not an actor of this server`);
    }
    const from = query.notBefore === undefined ? undefined : query.notBefore * 1000;
    const to = query.notAfter === undefined ? undefined : query.notAfter * 1000;
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
    this.deps.events?.serverCertChanged?.(cert.pem, Math.floor(oldInvalidSince / 1000));
    return cert.pem;
  }

  private async revoke(record: IdCertRecord): Promise<void> {
    const now = Date.now();
    await this.deps.idCerts.invalidate(record.serial, now);
    await this.deps.sessions.endForCert(record.fid, record.serial);
    const cacheable = await this.deps.ca.cacheable({ ...record, invalidatedAt: now }, now);
    this.deps.events?.certInvalidated?.(record.fid, cacheable);
  }
}
