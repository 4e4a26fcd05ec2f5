/**
 * When a cached CacheableIDCert may be used (PROFILE §1, core §6.4): while its signed window
 * contains now, and never longer than 12 hours after it was fetched (PROFILE §1's longest TTL),
 * whatever window a home server signed. An entry outside this is never used: it is fetched again.
 */
import type { CacheableIdCert } from "@p2chat/polyproto";

/** PROFILE §1: TTLs run from 1 to 12 hours; nothing is trusted from a cache for longer. */
export const MAX_CACHE_AGE_MS = 12 * 60 * 60 * 1000;
/** A window starting up to 5 minutes in our future still counts (clock skew); its end is never stretched. */
export const WINDOW_SKEW_SECONDS = 5 * 60;

export function isWindowUsable(
  cacheable: Pick<CacheableIdCert, "cacheNotValidBefore" | "cacheNotValidAfter">,
  fetchedAt: number,
  now: number,
): boolean {
  const nowSeconds = Math.floor(now / 1000);
  return (
    Number(cacheable.cacheNotValidBefore) - WINDOW_SKEW_SECONDS <= nowSeconds &&
    nowSeconds <= Number(cacheable.cacheNotValidAfter) &&
    now - fetchedAt < MAX_CACHE_AGE_MS &&
    fetchedAt <= now + WINDOW_SKEW_SECONDS * 1000
  );
}

/** The received CacheableIDCert with its times as JSON numbers (decimal strings are tolerated on input). */
export function normalisedCacheable(raw: CacheableIdCert): CacheableIdCert {
  return {
    idCertPem: raw.idCertPem,
    cacheNotValidBefore: Number(raw.cacheNotValidBefore),
    cacheNotValidAfter: Number(raw.cacheNotValidAfter),
    cacheSignature: raw.cacheSignature,
    ...(raw.invalidatedAt != null && { invalidatedAt: Number(raw.invalidatedAt) }),
  };
}
