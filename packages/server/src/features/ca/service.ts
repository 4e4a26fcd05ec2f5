/**
 * The certificate authority of this home server [core §6.1, PROFILE §1]: holds the root key and the
 * root cert, issues ID-Certs for local actors from their CSRs, signs CacheableIDCerts, rotates the
 * root. The root key lives in `<dataDir>/root-key.pem` (mode 0600); the root-cert history in storage.
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type ActorIdCert,
  type CacheableIdCert,
  createCacheableIdCert,
  createRootCert,
  type IdCsr,
  issueIdCert,
  parseIdCert,
  type RootIdCert,
  SigningKey,
  validateRootCert,
} from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import type { IdCertRecord, IdCertStore } from "../../storage/idCertStore.js";
import type { ServerKeyStore } from "../../storage/serverKeyStore.js";

const DAY_MS = 24 * 3600 * 1000;

export interface CertificateAuthorityOptions {
  readonly domain: string;
  readonly dataDir: string;
  readonly certValidityDays: number;
  readonly cacheTtlSeconds: number;
  readonly serverKeys: ServerKeyStore;
  readonly idCerts: IdCertStore;
}

interface RootState {
  readonly key: SigningKey;
  readonly cert: RootIdCert;
}

export class CertificateAuthority {
  private constructor(
    private readonly options: CertificateAuthorityOptions,
    private state: RootState,
    /** Parsed old roots by serial, for `rootAt` (look-ups of the cert valid at a past time). */
    private readonly roots = new Map<string, RootIdCert>(),
  ) {}

  /** CacheableIDCerts signed lately, reused instead of signing one per request (GET /idcert/…). */
  private readonly signedCacheables = new SignedCacheables(() => this.state.key);

  /**
   * Loads the root key (creating it on first start) and the current root cert (issuing one when
   * there is none for this key or it is no longer valid).
   */
  static async open(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    const key = await loadOrCreateRootKey(options.dataDir);
    const stored = await options.serverKeys.current();
    let cert: RootIdCert | undefined;
    if (stored) {
      const parsed = await parseIdCert(stored.certPem);
      const usable = parsed.publicKey.equals(key.publicKey) && parsed.domain === options.domain;
      if (usable && parsed.notAfter.getTime() > Date.now() + DAY_MS) {
        cert = await validateRootCert(parsed, { domain: options.domain });
      }
    }
    const authority = new CertificateAuthority(options, {
      key,
      cert: cert ?? (await createRootCert({ signingKey: key, domain: options.domain })),
    });
    if (!cert) await authority.storeRoot(authority.state.cert);
    await authority.refresh();
    return authority;
  }

  /**
   * Follows the database: when another node rotated the root (or won the race to create it), loads
   * the current root cert and the key file. Cheap when nothing changed (one indexed read).
   */
  async refresh(): Promise<void> {
    const stored = await this.options.serverKeys.current();
    if (!stored || stored.serial === this.state.cert.serial) return;
    const cert = await parseIdCert(stored.certPem);
    const key = cert.publicKey.equals(this.state.key.publicKey)
      ? this.state.key
      : await SigningKey.fromPkcs8Pem(await readFile(join(this.options.dataDir, ROOT_KEY_FILE), "utf8"));
    if (!key.publicKey.equals(cert.publicKey)) return; // the key file has not caught up; keep the old root
    this.state = { key, cert: await validateRootCert(cert, { domain: this.domain }) };
  }

  get domain(): string {
    return this.options.domain;
  }

  get rootCert(): RootIdCert {
    return this.state.cert;
  }

  get rootKey(): SigningKey {
    return this.state.key;
  }

  /** The root cert that was current at `at` (ms), or undefined when none was. */
  async rootAt(at: number): Promise<RootIdCert | undefined> {
    const record = await this.options.serverKeys.validAt(at);
    if (!record) return undefined;
    const known = this.roots.get(record.serial) ?? (await parseIdCert(record.certPem));
    this.roots.set(record.serial, known as RootIdCert);
    return known as RootIdCert;
  }

  /**
   * Issues and stores an ID-Cert for a local actor's CSR. The CSR's FID must be `fid` (the
   * authenticated actor) and its session ID free; the CA decides the validity itself.
   */
  async issue(
    csr: IdCsr,
    fid: string,
    now = Date.now(),
  ): Promise<{ cert: ActorIdCert; record: IdCertRecord }> {
    await this.refresh(); // issue under the current root, even if another node rotated it
    if (csr.fid !== fid) {
      throw new P2Error(403, "P2CORE_CSR_WRONG_ACTOR", `the CSR is for ${csr.fid}, not for ${fid}`);
    }
    if (csr.subject.domain !== this.domain) {
      throw new P2Error(400, "P2CORE_CSR_WRONG_DOMAIN", `this server issues certs for ${this.domain} only`);
    }
    const cert = await issueIdCert({
      csr,
      issuerKey: this.state.key,
      rootCert: this.state.cert,
      notBefore: new Date(now),
      validityMs: this.options.certValidityDays * DAY_MS,
    });
    const record: IdCertRecord = {
      serial: cert.serial,
      fid,
      sessionId: cert.sessionId,
      certPem: cert.pem,
      publicKeyHex: cert.publicKey.toHex(),
      notBefore: cert.notBefore.getTime(),
      notAfter: cert.notAfter.getTime(),
      invalidatedAt: null,
      createdAt: now,
    };
    const result = await this.options.idCerts.insert(record, now);
    if (result === "session-in-use") {
      throw new P2Error(
        409,
        "P2CORE_SESSION_ID_TAKEN",
        `session ID ${cert.sessionId} is in use by a valid cert`,
      );
    }
    if (result === "serial-in-use") return this.issue(csr, fid, now); // 2^-63 chance: draw again
    return { cert, record };
  }

  /**
   * A CacheableIDCert of one of our actors' certs, signed with the current root key — at most once
   * per `CACHEABLE_REUSE_MS` for the same cert state (see `signedCacheables`).
   */
  cacheable(record: IdCertRecord, now = Date.now()): Promise<CacheableIdCert> {
    const invalidatedAt = record.invalidatedAt === null ? undefined : new Date(record.invalidatedAt);
    return this.signedCacheables.get(`${record.serial} ${record.invalidatedAt ?? ""}`, now, (signingKey) =>
      createCacheableIdCert({
        idCert: { serial: record.serial, pem: record.certPem },
        signingKey,
        now: new Date(now),
        ttlSeconds: this.options.cacheTtlSeconds,
        invalidatedAt,
      }),
    );
  }

  /** The root cert as a CacheableIDCert (PROFILE §3: `GET /idcert/server`). */
  cacheableRoot(root: RootIdCert = this.state.cert, now = Date.now()): Promise<CacheableIdCert> {
    return this.signedCacheables.get(`root ${root.serial}`, now, (signingKey) =>
      createCacheableIdCert({
        idCert: root,
        signingKey,
        now: new Date(now),
        ttlSeconds: this.options.cacheTtlSeconds,
      }),
    );
  }

  /**
   * Rotates the root [core §6.1.3]: a new key and a new self-signed root; the old root is marked
   * invalid from now. Certs issued under the old root stay verifiable through `rootAt`.
   */
  async rotate(now = Date.now()): Promise<{ cert: RootIdCert; oldInvalidSince: number }> {
    const old = this.state.cert;
    const key = await SigningKey.generate();
    const cert = await createRootCert({ signingKey: key, domain: this.domain, notBefore: new Date(now) });
    await writeRootKey(this.options.dataDir, key);
    await this.options.serverKeys.invalidate(old.serial, now);
    this.roots.set(old.serial, old);
    this.state = { key, cert };
    await this.storeRoot(cert);
    return { cert, oldInvalidSince: now };
  }

  private async storeRoot(cert: RootIdCert): Promise<void> {
    this.roots.set(cert.serial, cert);
    await this.options.serverKeys.insertCurrent({
      serial: cert.serial,
      certPem: cert.pem,
      notBefore: cert.notBefore.getTime(),
      notAfter: cert.notAfter.getTime(),
    });
  }
}

/**
 * How long a signed CacheableIDCert is handed out again: its window then starts up to this long in the
 * past, so receivers may cache it for the TTL minus at most this (core §6.4.1 leaves the window to the
 * home server). A changed cert state (revocation: `invalidatedAt`) or a new root key signs afresh.
 */
export const CACHEABLE_REUSE_MS = 5 * 60 * 1000;
const SIGNED_CACHEABLES_LIMIT = 10_000;

/**
 * Signed CacheableIDCerts by cert state, each handed out again while its window started less than
 * `CACHEABLE_REUSE_MS` ago and the root key is the one that signed it. Concurrent requests for the same
 * state share one signature. Bounded: the oldest signature goes first.
 */
class SignedCacheables {
  private readonly entries = new Map<string, { key: SigningKey; cacheable: Promise<CacheableIdCert> }>();

  constructor(private readonly currentKey: () => SigningKey) {}

  async get(
    state: string,
    now: number,
    sign: (key: SigningKey) => Promise<CacheableIdCert>,
  ): Promise<CacheableIdCert> {
    const key = this.currentKey();
    const entry = this.entries.get(state);
    if (entry?.key === key) {
      const cached = await entry.cacheable.catch(() => undefined);
      const from = (cached?.cacheNotValidBefore ?? Number.NaN) * 1000;
      if (cached && now >= from && now < from + CACHEABLE_REUSE_MS) return cached;
    }
    const cacheable = sign(key);
    this.entries.delete(state);
    if (this.entries.size >= SIGNED_CACHEABLES_LIMIT) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(state, { key, cacheable });
    return cacheable;
  }
}

const ROOT_KEY_FILE = "root-key.pem";

async function loadOrCreateRootKey(dataDir: string): Promise<SigningKey> {
  const path = join(dataDir, ROOT_KEY_FILE);
  await mkdir(dataDir, { recursive: true });
  const key = await SigningKey.generate();
  try {
    // Exclusive create: when several nodes share the data dir and start at once, one key wins.
    await writeFile(path, key.toPkcs8Pem(), { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return SigningKey.fromPkcs8Pem(await readFile(path, "utf8"));
}

async function writeRootKey(dataDir: string, key: SigningKey): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, ROOT_KEY_FILE);
  const next = `${path}.next`;
  await writeFile(next, key.toPkcs8Pem(), { mode: 0o600 });
  await chmod(next, 0o600);
  await rename(next, path);
}
