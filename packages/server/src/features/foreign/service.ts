/**
 * Authenticating actors of any home server on this one [core §4.1.1, §4.2, PROFILE §3]: challenges,
 * the key trial that exchanges a signed challenge and an ID-Cert for a session token, reports of
 * changed or revoked certs, and the published record of completed trials.
 *
 * An actor of another server is checked against its home server through the federation client; an
 * actor of this server against our own CA and cert store, without any network.
 */
import {
  type ActorIdCert,
  bytesEqual,
  generateChallenge,
  type IdCert,
  type RootIdCert,
  tryParseFederationId,
  validateIdCert,
  verifyKeyTrial,
} from "@p2chat/polyproto";
import type { FederationService } from "../../federation/service.js";
import { P2Error } from "../../http/errors.js";
import type { ChallengeStore } from "../../storage/challengeStore.js";
import type { IdCertStore } from "../../storage/idCertStore.js";
import type { KeyTrialStore } from "../../storage/keyTrialStore.js";
import type { CertificateAuthority } from "../ca/service.js";
import type { Session, SessionService } from "../sessions/service.js";
import type { CompletedKeyTrial, KeyTrialQuery, SessionAuthBody } from "./schemas.js";
import { VerifiedCerts } from "./verifiedCerts.js";

/** PROFILE §3: a challenge can be used once, within 5 minutes. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** How often used and expired challenges are swept (on a new challenge, at most this often). */
const SWEEP_INTERVAL_MS = 60 * 1000;

export interface ForeignServiceDependencies {
  /** This server's domain: its actors are checked locally. */
  readonly domain: string;
  readonly challenges: ChallengeStore;
  readonly keyTrials: KeyTrialStore;
  readonly idCerts: IdCertStore;
  readonly ca: CertificateAuthority;
  readonly sessions: SessionService;
  readonly federation: FederationService;
  readonly now?: () => number;
}

/** What the home server says about a cert: that it knows it, and whether it revoked it. */
interface HomeStatus {
  readonly invalidatedAt: number | undefined;
}

export class ForeignService {
  private readonly now: () => number;
  private lastSweep = 0;
  /** Parsed and validated certs, so a returning actor's cert is not parsed and verified again. */
  private readonly verifiedCerts = new VerifiedCerts();

  constructor(private readonly deps: ForeignServiceDependencies) {
    this.now = deps.now ?? Date.now;
  }

  /** GET /challenge: a fresh challenge, stored until it expires (whole seconds, as `expires` says). */
  async challenge(): Promise<{ challenge: string; expires: number }> {
    const now = this.now();
    if (now - this.lastSweep > SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      await this.deps.challenges.deleteExpired(now);
    }
    const expires = Math.floor((now + CHALLENGE_LIFETIME_MS) / 1000);
    for (;;) {
      const challenge = generateChallenge();
      // 62^64 possibilities: a collision is astronomically unlikely, but the store reports it.
      if (await this.deps.challenges.create({ challenge, expiresAt: expires * 1000 })) {
        return { challenge, expires };
      }
    }
  }

  /**
   * POST /session/auth: the key trial of core §4.1.1, checked in this order (each failure its own code):
   * the challenge is ours, unexpired and unused — consumed atomically first, so it is spent whatever
   * follows and a replay fails; the cert parses as an actor's, is inside its validity, and its key
   * signed the UTF-8 challenge; it chains to its home server's root (fetched by domain) and passes
   * `validateIdCert` at now; its home server vouches for it (a CacheableIDCert with the same cert,
   * signature checked, window current) and has not revoked it. Then the trial is recorded and the
   * session granted — foreign for another server's actor, local for ours — expiring with the cert.
   */
  async authenticate(body: SessionAuthBody): Promise<{ token: string }> {
    const now = this.now();
    if (!(await this.deps.challenges.consume(body.challenge, now))) {
      throw new P2Error(
        401,
        "P2CORE_CHALLENGE_INVALID",
        "the challenge is not one of this server's, has expired or was used already; get a new one",
      );
    }
    const cert = await this.parseActorCert(body.idCertPem);
    this.checkValidity(cert, now);
    if (!(await verifyKeyTrial(cert.publicKey, body.challenge, body.signature))) {
      throw new P2Error(
        401,
        "P2CORE_KEY_TRIAL_FAILED",
        `the signature is not ID-Cert ${cert.serial}'s key's signature over the challenge`,
      );
    }
    const actorCert = await this.validatedActorCert(body.idCertPem, cert, now);
    const status = await this.homeStatus(actorCert, false);
    if (status.invalidatedAt !== undefined) {
      throw new P2Error(
        401,
        "P2CORE_CERT_REVOKED",
        `${actorCert.fid}'s home server revoked ID-Cert ${actorCert.serial} at ${new Date(status.invalidatedAt).toISOString()}`,
      );
    }
    await this.deps.keyTrials.record({
      challenge: body.challenge,
      fid: actorCert.fid,
      certSerial: actorCert.serial,
      signature: body.signature,
      completedAt: now,
    });
    const grant = {
      fid: actorCert.fid,
      certSerial: actorCert.serial,
      sessionId: actorCert.sessionId,
      expiresAt: actorCert.notAfter.getTime(),
    };
    const token = this.isLocal(actorCert)
      ? await this.deps.sessions.grantLocal(grant, now)
      : await this.deps.sessions.grantForeign(
          { ...grant, certPem: actorCert.pem, homeDomain: actorCert.domain },
          now,
        );
    return { token };
  }

  /**
   * PUT /session/idcert/extern: the caller reports a changed or revoked cert of theirs. The cert must
   * be the caller's (same FID) and signed by their home server's root; the home server is asked afresh
   * (cache bypassed, the answer replaces the cached one). When it says the cert is revoked, or the cert
   * has expired, this server's token of that cert ends.
   */
  async updateExternCert(session: Session, pem: string): Promise<void> {
    const now = this.now();
    const cert = await this.parseActorCert(pem, 400);
    if (cert.fid !== session.fid) {
      throw new P2Error(
        400,
        "P2CORE_CERT_NOT_CALLERS",
        `ID-Cert ${cert.serial} is ${cert.fid}'s, not the caller's`,
      );
    }
    await this.trustedRoot(cert, 400);
    const status = await this.homeStatus(cert as ActorIdCert, true, 400);
    if (status.invalidatedAt !== undefined || cert.notAfter.getTime() < now) {
      await this.deps.sessions.endForCert(session.fid, cert.serial);
    }
  }

  /** GET /keytrial/{fid}: the trials completed on this server by that actor, oldest first. */
  async keyTrials(fidInput: string, query: KeyTrialQuery): Promise<CompletedKeyTrial[]> {
    const fid = tryParseFederationId(fidInput);
    if (!fid) {
      throw new P2Error(
        400,
        "P2CORE_INVALID_FEDERATION_ID",
        `not a federation ID: ${JSON.stringify(fidInput)}`,
      );
    }
    const trials = await this.deps.keyTrials.list(fid.fid, {
      notBefore: query.notBefore === undefined ? undefined : query.notBefore * 1000,
      notAfter: query.notAfter === undefined ? undefined : query.notAfter * 1000 + 999,
      challenge: query.id,
      limit: query.limit,
    });
    // A challenge is single-use: the trial is spent, hence expired, the moment it is completed.
    return trials.map((trial) => ({
      keyTrial: { trial: trial.challenge, expires: Math.floor(trial.completedAt / 1000) },
      keyTrialCompletion: [{ signature: trial.signature, serialNumber: trial.certSerial }],
    }));
  }

  private isLocal(cert: IdCert): boolean {
    return cert.domain === this.deps.domain;
  }

  private async parseActorCert(pem: string, status = 400): Promise<IdCert & { fid: string }> {
    let cert: IdCert;
    try {
      cert = await this.verifiedCerts.parse(pem);
    } catch (error) {
      throw new P2Error(status, "P2CORE_INVALID_CERT", `not an ID-Cert: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (cert.fid === undefined) {
      throw new P2Error(status, "P2CORE_INVALID_CERT", `ID-Cert ${cert.serial} is not an actor's (no UID)`);
    }
    return cert as IdCert & { fid: string };
  }

  private checkValidity(cert: IdCert, now: number): void {
    if (now > cert.notAfter.getTime()) {
      throw new P2Error(
        401,
        "P2CORE_CERT_EXPIRED",
        `ID-Cert ${cert.serial} expired at ${cert.notAfter.toISOString()}`,
      );
    }
    if (now < cert.notBefore.getTime()) {
      throw new P2Error(
        401,
        "P2CORE_CERT_NOT_YET_VALID",
        `ID-Cert ${cert.serial} is valid from ${cert.notBefore.toISOString()}`,
      );
    }
  }

  /**
   * `trustedRoot`, then `validateIdCert` at `now`, remembered per cert and current root of its home
   * server: both depend only on the two certs and on time, and the cert's validity window — inside its
   * root's — was checked at `now` by `checkValidity`. After a root rotation the current root differs,
   * so nothing remembered is used across one.
   */
  private async validatedActorCert(pem: string, cert: IdCert, now: number): Promise<ActorIdCert> {
    const current = this.isLocal(cert)
      ? this.deps.ca.rootCert
      : await this.deps.federation.homeRoot(cert.domain);
    const known = this.verifiedCerts.validatedUnder(pem, current.serial);
    if (known) return known;
    const root = await this.trustedRoot(cert);
    const actorCert = await validateIdCert(cert, root, { at: new Date(now) });
    this.verifiedCerts.rememberValidated(pem, current.serial, actorCert);
    return actorCert;
  }

  /**
   * The root of the cert's home server whose key signed it: the current root, or — for a cert issued
   * before a root rotation — the root that was current at the cert's notBefore [core §6.1.3].
   */
  private async trustedRoot(cert: IdCert, status = 401): Promise<RootIdCert> {
    const signedBy = async (root: RootIdCert | undefined) =>
      (await root?.publicKey.verify(cert.tbsDer, cert.signature)) === true;
    const local = this.isLocal(cert);
    const current = local ? this.deps.ca.rootCert : await this.deps.federation.homeRoot(cert.domain);
    if (await signedBy(current)) return current;
    if (cert.notBefore < current.notBefore) {
      const at = cert.notBefore.getTime();
      const older = local
        ? await this.deps.ca.rootAt(at)
        : await this.deps.federation.homeRootAt(cert.domain, at);
      if (older && (await signedBy(older))) return older;
    }
    throw new P2Error(
      status,
      "P2CORE_CERT_UNTRUSTED",
      `ID-Cert ${cert.serial} is not signed by the root of its home server ${cert.domain}`,
    );
  }

  /**
   * What the cert's home server says about it. Ours: the cert store. Another: its CacheableIDCert
   * (cached while usable unless `fresh`), which must carry exactly this cert.
   */
  private async homeStatus(cert: ActorIdCert, fresh: boolean, status = 401): Promise<HomeStatus> {
    const unknown = (why: string) =>
      new P2Error(status, "P2CORE_CERT_UNKNOWN", `ID-Cert ${cert.serial} of ${cert.fid}: ${why}`);
    if (this.isLocal(cert)) {
      const record = await this.deps.idCerts.find(cert.serial);
      if (!record || record.fid !== cert.fid) throw unknown("this server did not issue it");
      const issued = await this.verifiedCerts.parse(record.certPem);
      if (!bytesEqual(issued.der, cert.der))
        throw unknown("this server issued a different cert with that serial");
      return { invalidatedAt: record.invalidatedAt ?? undefined };
    }
    const vouched = await this.deps.federation.actorCert(cert.fid, cert.serial, {
      sessionId: cert.sessionId,
      fresh,
    });
    if (!vouched) throw unknown(`the home server ${cert.domain} does not know it`);
    if (!bytesEqual(vouched.idCert.der, cert.der)) {
      throw unknown(`the home server ${cert.domain} has a different cert with that serial`);
    }
    return { invalidatedAt: vouched.invalidatedAt };
  }
}
