/**
 * The federation client [PROFILE §2]: what this server learns from other home servers — their roots
 * and their actors' certs — fetched, checked and cached by the rules of PROFILE §1 (core §6.4). A
 * service, no Fastify. Server-to-server traffic is only ever these certificate look-ups.
 *
 * Every answer is checked before use; a home server that cannot be reached gives
 * `502 P2CORE_HOME_SERVER_UNREACHABLE`, one that answers wrongly `502 P2CORE_HOME_SERVER_INVALID`.
 */
import {
  type CacheableIdCert,
  type IdCert,
  type PublicKey,
  parseFederationId,
  parseIdCert,
  PolyprotoError,
  type RootIdCert,
  validateRootCert,
  verifyCacheableIdCert,
} from "@p2chat/polyproto";
import { P2Error } from "../http/errors.js";
import type { ForeignCertStore } from "../storage/foreignCertStore.js";
import { type CachedRoot, CertCache, type ForeignActorCert, isWindowUsable } from "./certCache.js";
import { HomeServerClient, type HomeServerClientOptions, invalidAnswer } from "./homeServerClient.js";

export type { ForeignActorCert } from "./certCache.js";

export interface FederationServiceOptions extends HomeServerClientOptions {
  /** This server's own domain: never looked up over the network. */
  readonly domain: string;
  readonly foreignCerts: ForeignCertStore;
  /** Most roots and most actor certs kept in memory (each). */
  readonly cacheLimit?: number;
}

export interface ActorCertLookup {
  /** Asks the home server for this session's certs only (`?session_id=`), as the cert names it. */
  readonly sessionId?: string;
  /** Skips the cache and asks the home server (a cert was reported changed or revoked). */
  readonly fresh?: boolean;
}

/** Why a verification failed, for the message: polyproto's own words when it has them. */
function reason(error: unknown): string {
  return error instanceof PolyprotoError || error instanceof Error ? error.message : String(error);
}

/** The received CacheableIDCert with its times as JSON numbers (decimal strings are tolerated on input). */
function normalised(raw: CacheableIdCert): CacheableIdCert {
  return {
    idCertPem: raw.idCertPem,
    cacheNotValidBefore: Number(raw.cacheNotValidBefore),
    cacheNotValidAfter: Number(raw.cacheNotValidAfter),
    cacheSignature: raw.cacheSignature,
    ...(raw.invalidatedAt != null && { invalidatedAt: Number(raw.invalidatedAt) }),
  };
}

export class FederationService {
  readonly client: HomeServerClient;
  private readonly cache: CertCache;
  /** Look-ups under way, so concurrent requests for the same thing share one fetch. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: FederationServiceOptions) {
    this.client = new HomeServerClient(options);
    this.cache = new CertCache({ store: options.foreignCerts, limit: options.cacheLimit });
    this.now = options.now ?? Date.now;
  }

  /**
   * The current root cert of `domain`'s home server: `GET <api>v1/idcert/server`, checked to be a
   * CacheableIDCert whose cert parses, is a valid self-signed root for exactly `domain` (its DCs),
   * whose cacheSignature verifies with its own key and whose window is current. Cached for the window.
   */
  homeRoot(domain: string): Promise<RootIdCert> {
    this.refuseOwnDomain(domain);
    const cached = this.cache.root(domain, this.now());
    if (cached) return Promise.resolve(cached.root);
    return this.once(`root ${domain}`, async () => {
      const fetchedAt = this.now();
      const { body } = await this.client.getCore(domain, "v1/idcert/server");
      const entry = await this.verifyRoot(domain, body, fetchedAt);
      this.cache.putRoot(entry);
      return entry.root;
    });
  }

  /**
   * The root `domain`'s home server had at `at` (ms), for certs issued before a root rotation
   * [core §6.1.3]: `GET <api>v1/idcert/server?timestamp=`, its cacheSignature verified with the
   * *current* root's key (the home server signs with the key it has now). Undefined on a 404.
   * Not cached: it is only asked for when a cert does not verify with the current root.
   */
  async homeRootAt(domain: string, at: number): Promise<RootIdCert | undefined> {
    const current = await this.homeRoot(domain);
    const fetchedAt = this.now();
    const timestamp = String(Math.floor(at / 1000));
    const { status, body } = await this.client.getCore(domain, "v1/idcert/server", { timestamp }, true);
    if (status === 404) return undefined;
    const entry = await this.verifyRoot(domain, body, fetchedAt, { key: current.publicKey, at });
    return entry.root;
  }

  /**
   * An actor's cert by serial, as its home server vouches for it now: from the cache while its window
   * is usable, else `GET <api>v1/idcert/actor/{fid}?session_id=…`, every listed CacheableIDCert's
   * signature verified with the home root's key (and each kept in the cache). Undefined when the home
   * server does not know the actor or lists no cert with that serial.
   */
  async actorCert(
    fidInput: string,
    serial: string,
    lookup: ActorCertLookup = {},
  ): Promise<ForeignActorCert | undefined> {
    const { fid, domain } = parseFederationId(fidInput);
    const root = await this.homeRoot(domain);
    if (!lookup.fresh) {
      const cached = await this.cache.actorCert(domain, serial, this.now(), root.publicKey);
      if (cached && cached.fid === fid) return cached;
    }
    const listed = await this.once(`actor ${fid} ${lookup.sessionId ?? ""} ${lookup.fresh ?? false}`, () =>
      this.fetchActorCerts(fid, domain, root.publicKey, lookup.sessionId),
    );
    return listed.find((entry) => entry.serial === serial);
  }

  /**
   * An actor's certs as their home server lists them now, each verified: what this server answers
   * clients who ask it for a foreign actor's certs (core §6.4: ask the conversation's server first).
   */
  async listActorCerts(fidInput: string, sessionId?: string): Promise<CacheableIdCert[]> {
    const { fid, domain } = parseFederationId(fidInput);
    const root = await this.homeRoot(domain);
    const listed = await this.once(`actor ${fid} ${sessionId ?? ""} list`, () =>
      this.fetchActorCerts(fid, domain, root.publicKey, sessionId),
    );
    return listed.map((entry) => entry.cacheable);
  }

  private async fetchActorCerts(
    fid: string,
    domain: string,
    rootKey: PublicKey,
    sessionId: string | undefined,
  ): Promise<ForeignActorCert[]> {
    const fetchedAt = this.now();
    const { status, body } = await this.client.getCore(
      domain,
      `v1/idcert/actor/${encodeURIComponent(fid)}`,
      { session_id: sessionId },
      true,
    );
    if (status === 404) return [];
    if (!Array.isArray(body)) throw invalidAnswer(domain, `listed ${fid}'s certs as something not an array`);
    const entries: ForeignActorCert[] = [];
    for (const item of body as CacheableIdCert[]) {
      let idCert: IdCert;
      let invalidatedAt: Date | undefined;
      try {
        ({ idCert, invalidatedAt } = await verifyCacheableIdCert(item, rootKey, {
          now: new Date(fetchedAt),
        }));
      } catch (error) {
        throw invalidAnswer(
          domain,
          `sent a CacheableIDCert of ${fid} that does not verify: ${reason(error)}`,
          error,
        );
      }
      const cacheable = normalised(item);
      if (idCert.fid !== fid) {
        throw invalidAnswer(domain, `listed a cert of ${idCert.fid ?? "a non-actor"} among ${fid}'s`);
      }
      if (!isWindowUsable(cacheable, fetchedAt, fetchedAt)) {
        throw invalidAnswer(domain, `sent a CacheableIDCert of ${fid} whose cache window is not current`);
      }
      entries.push({
        domain,
        fid,
        serial: idCert.serial,
        idCert,
        cacheable,
        invalidatedAt: invalidatedAt?.getTime(),
        fetchedAt,
      });
    }
    for (const entry of entries) await this.cache.putActorCert(entry);
    return entries;
  }

  /** Checks a `GET /idcert/server` answer; `key` and `at` for a past root (see `homeRootAt`). */
  private async verifyRoot(
    domain: string,
    body: unknown,
    fetchedAt: number,
    past?: { readonly key: PublicKey; readonly at: number },
  ): Promise<CachedRoot> {
    const raw = body as CacheableIdCert | null;
    if (typeof raw !== "object" || raw === null || typeof raw.idCertPem !== "string") {
      throw invalidAnswer(domain, "answered /idcert/server without a CacheableIDCert");
    }
    let root: RootIdCert;
    try {
      const cert = await parseIdCert(raw.idCertPem);
      root = await validateRootCert(cert, { domain, at: new Date(past?.at ?? fetchedAt) });
    } catch (error) {
      throw invalidAnswer(
        domain,
        `sent a root cert that is not a valid root of ${domain}: ${reason(error)}`,
        error,
      );
    }
    try {
      await verifyCacheableIdCert(raw, past?.key ?? root.publicKey, { now: new Date(fetchedAt) });
    } catch (error) {
      throw invalidAnswer(domain, `sent its root with a bad cache signature: ${reason(error)}`, error);
    }
    const cacheable = normalised(raw);
    if (!isWindowUsable(cacheable, fetchedAt, fetchedAt)) {
      throw invalidAnswer(domain, "sent its root with a cache window that is not current");
    }
    return { domain, root, cacheable, fetchedAt };
  }

  /** Runs `work` once for concurrent callers with the same key. */
  private once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key);
    if (running) return running as Promise<T>;
    const started = work().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }

  private refuseOwnDomain(domain: string): void {
    if (domain === this.options.domain) {
      // Our own actors are checked against our own CA; asking ourselves over HTTP is a bug.
      throw new P2Error(500, "P2CORE_INTERNAL", `${domain} is this server's own domain`);
    }
  }
}
