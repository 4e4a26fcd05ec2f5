/**
 * The cache of other home servers' certs [core §6.4, PROFILE §1]: their roots in memory, their actors'
 * CacheableIDCerts in memory and in `storage.foreignCerts` (so a restart does not refetch everything).
 * Both memory maps are bounded (least recently used out first). An entry is handed out only while its
 * cache window, as the home server signed it, contains now: an expired entry never verifies anything
 * new, whether or not the home server can be reached to renew it.
 */
import {
  type CacheableIdCert,
  type IdCert,
  MAX_CACHE_TTL_SECONDS,
  type PublicKey,
  type RootIdCert,
  verifyCacheableIdCert,
} from "@p2chat/polyproto";
import { BoundedMap } from "../boundedMap.js";
import type { ForeignCertStore } from "../storage/foreignCertStore.js";

/** Home servers' clocks differ; a window that starts up to this much in our future is usable already. */
export const CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * The last second (UNIX) an entry fetched at `fetchedAt` (ms) may be used: its cacheNotValidAfter, but
 * never more than PROFILE §1's longest TTL (12 h) after we fetched it, whatever window a server signs.
 */
export function usableUntil(
  cacheable: Pick<CacheableIdCert, "cacheNotValidAfter">,
  fetchedAt: number,
): number {
  return Math.min(cacheable.cacheNotValidAfter, Math.floor(fetchedAt / 1000) + MAX_CACHE_TTL_SECONDS);
}

/** Whether an entry fetched at `fetchedAt` may verify something at `now` (both ms). */
export function isWindowUsable(
  cacheable: Pick<CacheableIdCert, "cacheNotValidBefore" | "cacheNotValidAfter">,
  fetchedAt: number,
  now: number,
): boolean {
  const t = Math.floor(now / 1000);
  return cacheable.cacheNotValidBefore <= t + CLOCK_SKEW_SECONDS && t <= usableUntil(cacheable, fetchedAt);
}

/** A home server's root, as its CacheableIDCert said, verified (self-signed, for its domain, signature). */
export interface CachedRoot {
  readonly domain: string;
  readonly root: RootIdCert;
  readonly cacheable: CacheableIdCert;
  readonly fetchedAt: number;
}

/** An actor cert as its home server vouched for it: the cache signature verified with the root key. */
export interface ForeignActorCert {
  readonly domain: string;
  readonly fid: string;
  readonly serial: string;
  readonly idCert: IdCert;
  readonly cacheable: CacheableIdCert;
  /** Unix ms when the home server says the cert was revoked; undefined while it is not. */
  readonly invalidatedAt: number | undefined;
  readonly fetchedAt: number;
}

export interface CertCacheOptions {
  readonly store: ForeignCertStore;
  /** Most actor certs (and, separately, roots) kept in memory. */
  readonly limit?: number;
}

/** How often stale rows are swept from storage (on a write, at most this often). */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export class CertCache {
  private readonly roots: BoundedMap<CachedRoot>;
  private readonly certs: BoundedMap<ForeignActorCert>;
  private lastSweep = 0;

  constructor(private readonly options: CertCacheOptions) {
    this.roots = new BoundedMap(options.limit ?? 10_000);
    this.certs = new BoundedMap(options.limit ?? 10_000);
  }

  /** The domain's root if its window is usable at `now`; an expired one is dropped. */
  root(domain: string, now: number): CachedRoot | undefined {
    const cached = this.roots.get(domain);
    if (cached && isWindowUsable(cached.cacheable, cached.fetchedAt, now)) return cached;
    if (cached) this.roots.delete(domain);
    return undefined;
  }

  putRoot(entry: CachedRoot): void {
    this.roots.set(entry.domain, entry);
  }

  /**
   * The actor cert `serial` of `domain` if usable at `now`: from memory, else from storage, where the
   * stored JSON is verified again with `rootKey` (the root may have rotated since; then it is a miss).
   */
  async actorCert(
    domain: string,
    serial: string,
    now: number,
    rootKey: PublicKey,
  ): Promise<ForeignActorCert | undefined> {
    const key = `${domain} ${serial}`;
    const cached = this.certs.get(key);
    if (cached && isWindowUsable(cached.cacheable, cached.fetchedAt, now)) return cached;
    if (cached) this.certs.delete(key);
    const stored = await this.options.store.findFresh(domain, serial, now);
    if (!stored) return undefined;
    try {
      const cacheable = JSON.parse(stored.cacheableJson) as CacheableIdCert;
      if (!isWindowUsable(cacheable, stored.fetchedAt, now)) return undefined;
      const verified = await verifyCacheableIdCert(cacheable, rootKey, { now: new Date(now) });
      if (verified.idCert.serial !== serial || verified.idCert.fid !== stored.fid) return undefined;
      const entry: ForeignActorCert = {
        domain,
        fid: stored.fid,
        serial,
        idCert: verified.idCert,
        cacheable,
        invalidatedAt: verified.invalidatedAt?.getTime(),
        fetchedAt: stored.fetchedAt,
      };
      this.certs.set(key, entry);
      return entry;
    } catch {
      return undefined; // unreadable or signed by a key no longer the root's: fetch again
    }
  }

  /** Keeps a verified actor cert in memory and in storage (replacing the entry of the same serial). */
  async putActorCert(entry: ForeignActorCert): Promise<void> {
    this.certs.set(`${entry.domain} ${entry.serial}`, entry);
    await this.options.store.put({
      domain: entry.domain,
      serial: entry.serial,
      fid: entry.fid,
      cacheableJson: JSON.stringify(entry.cacheable),
      fetchedAt: entry.fetchedAt,
      cacheNotValidAfter: usableUntil(entry.cacheable, entry.fetchedAt) * 1000,
    });
    if (entry.fetchedAt - this.lastSweep > SWEEP_INTERVAL_MS) {
      this.lastSweep = entry.fetchedAt;
      await this.options.store.deleteStale(entry.fetchedAt);
    }
  }
}
