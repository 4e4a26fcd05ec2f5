/**
 * CacheableIDCert [core §6.4.1, PROFILE §1]: an ID-Cert with a cache window and, after an early
 * revocation, the time it was invalidated — all signed by the home server, so any server or client
 * relaying it cannot stretch the window or hide the revocation.
 *
 * `{ idCertPem, cacheNotValidBefore, cacheNotValidAfter, cacheSignature, invalidatedAt? }`, times in
 * UNIX seconds (JSON numbers). cacheSignature = lowercase hex of the home server's Ed25519 signature
 * over the ASCII string `serial ‖ cacheNotValidBefore ‖ cacheNotValidAfter ‖ (invalidatedAt or "")`,
 * every number in decimal, no separators (as polyproto-rs does). Cache TTL 6 h by default (1–12 h).
 */
import { utf8 } from "./bytes.js";
import { fail } from "./errors.js";
import { type IdCert, parseIdCert } from "./idCert.js";
import type { PublicKey, SigningKey } from "./keys.js";

export const CACHE_TTL_SECONDS = 6 * 60 * 60;
export const MIN_CACHE_TTL_SECONDS = 60 * 60;
export const MAX_CACHE_TTL_SECONDS = 12 * 60 * 60;

export interface CacheableIdCert {
  readonly idCertPem: string;
  readonly cacheNotValidBefore: number;
  readonly cacheNotValidAfter: number;
  readonly cacheSignature: string;
  readonly invalidatedAt?: number;
}

/** A UNIX time in seconds: a safe non-negative integer, a bigint, or a decimal string (for u64 values). */
export type UnixSeconds = number | bigint | string;

export interface CacheSignatureFields {
  /** The ID-Cert's serial in decimal (or as a bigint). */
  readonly serial: string | bigint;
  readonly cacheNotValidBefore: UnixSeconds;
  readonly cacheNotValidAfter: UnixSeconds;
  readonly invalidatedAt?: UnixSeconds | null;
}

function invalid(message: string): never {
  return fail("P2CORE_INVALID_CACHEABLE_CERT", message);
}

/** core §6.4.1: the signed bytes, `serial ‖ notBefore ‖ notAfter ‖ (invalidatedAt or "")`. Order matters. */
export function cacheSignatureMessage(fields: CacheSignatureFields): Uint8Array {
  const parts = [
    decimal(fields.serial, "serial"),
    decimal(fields.cacheNotValidBefore, "cacheNotValidBefore"),
    decimal(fields.cacheNotValidAfter, "cacheNotValidAfter"),
    fields.invalidatedAt == null ? "" : decimal(fields.invalidatedAt, "invalidatedAt"),
  ];
  return utf8(parts.join(""));
}

export interface CreateCacheableIdCertOptions {
  /** The cert to wrap: only its serial and PEM are used, so a stored record serves as well. */
  readonly idCert: Pick<IdCert, "serial" | "pem">;
  /** The home server's root key (the key of the root that issued `idCert`). */
  readonly signingKey: SigningKey;
  /** Explicit window (UNIX seconds); otherwise `now` .. `now + ttlSeconds`. */
  readonly cacheNotValidBefore?: number;
  readonly cacheNotValidAfter?: number;
  readonly now?: Date;
  readonly ttlSeconds?: number;
  /** When the cert was revoked early [core §6.1.4]. */
  readonly invalidatedAt?: number | Date;
}

/** Home-server side: wraps and signs an ID-Cert for caching. */
export async function createCacheableIdCert(options: CreateCacheableIdCertOptions): Promise<CacheableIdCert> {
  const ttl = options.ttlSeconds ?? CACHE_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < MIN_CACHE_TTL_SECONDS || ttl > MAX_CACHE_TTL_SECONDS) {
    invalid(`cache TTL must be 1–12 hours in whole seconds, not ${ttl}`);
  }
  const cacheNotValidBefore = options.cacheNotValidBefore ?? unixSeconds(options.now ?? new Date());
  const cacheNotValidAfter = options.cacheNotValidAfter ?? cacheNotValidBefore + ttl;
  const invalidatedAt =
    options.invalidatedAt instanceof Date ? unixSeconds(options.invalidatedAt) : options.invalidatedAt;
  for (const [field, value] of Object.entries({ cacheNotValidBefore, cacheNotValidAfter, invalidatedAt })) {
    if (value !== undefined && !isUnixSeconds(value)) invalid(`${field} must be a non-negative integer`);
  }
  if (cacheNotValidAfter < cacheNotValidBefore) invalid("cacheNotValidAfter is before cacheNotValidBefore");
  const message = cacheSignatureMessage({
    serial: options.idCert.serial,
    cacheNotValidBefore,
    cacheNotValidAfter,
    invalidatedAt,
  });
  return {
    idCertPem: options.idCert.pem,
    cacheNotValidBefore,
    cacheNotValidAfter,
    cacheSignature: await options.signingKey.signHex(message),
    ...(invalidatedAt !== undefined && { invalidatedAt }),
  };
}

export interface VerifiedCacheableIdCert {
  readonly idCert: IdCert;
  readonly cacheNotValidBefore: Date;
  readonly cacheNotValidAfter: Date;
  readonly invalidatedAt: Date | undefined;
  /** Whether `now` is inside the cache window: an entry that is not current verifies no new message. */
  readonly current: boolean;
}

/**
 * Receiver side: checks the shape (times as JSON numbers; decimal strings tolerated, as core §6.4.1's
 * table has them), parses the ID-Cert, and verifies `cacheSignature` (lowercase hex) with the home
 * server's root public key. Throws `P2CORE_INVALID_CACHEABLE_CERT` when the signature does not verify.
 * It does not validate the ID-Cert's chain (use `validateIdCert` with the root cert) and does not
 * throw for a stale window: `current` says whether the window contains `now`.
 */
export async function verifyCacheableIdCert(
  cacheable: CacheableIdCert,
  rootPublicKey: PublicKey,
  options: { readonly now?: Date } = {},
): Promise<VerifiedCacheableIdCert> {
  if (typeof cacheable !== "object" || cacheable === null) invalid("a CacheableIDCert object expected");
  if (typeof cacheable.idCertPem !== "string") invalid("idCertPem missing");
  const notBefore = readTime(cacheable.cacheNotValidBefore, "cacheNotValidBefore");
  const notAfter = readTime(cacheable.cacheNotValidAfter, "cacheNotValidAfter");
  const invalidatedAt =
    cacheable.invalidatedAt == null ? undefined : readTime(cacheable.invalidatedAt, "invalidatedAt");
  if (notAfter < notBefore) invalid("cacheNotValidAfter is before cacheNotValidBefore");
  if (typeof cacheable.cacheSignature !== "string" || !/^[0-9a-f]{128}$/.test(cacheable.cacheSignature)) {
    invalid("cacheSignature must be 128 lowercase hex digits");
  }
  const idCert = await parseIdCert(cacheable.idCertPem);
  const message = cacheSignatureMessage({
    serial: idCert.serial,
    cacheNotValidBefore: notBefore,
    cacheNotValidAfter: notAfter,
    invalidatedAt,
  });
  if (!(await rootPublicKey.verifyHex(message, cacheable.cacheSignature))) {
    invalid(`cacheSignature of ID-Cert ${idCert.serial} does not verify with the home server's key`);
  }
  const now = BigInt(unixSeconds(options.now ?? new Date()));
  return {
    idCert,
    cacheNotValidBefore: dateOf(notBefore),
    cacheNotValidAfter: dateOf(notAfter),
    invalidatedAt: invalidatedAt === undefined ? undefined : dateOf(invalidatedAt),
    current: notBefore <= now && now <= notAfter,
  };
}

/** Whether `now` lies in the cache window (bounds inclusive). Says nothing about the signature. */
export function isCacheWindowCurrent(
  cacheable: Pick<CacheableIdCert, "cacheNotValidBefore" | "cacheNotValidAfter">,
  now: Date = new Date(),
): boolean {
  const t = unixSeconds(now);
  return cacheable.cacheNotValidBefore <= t && t <= cacheable.cacheNotValidAfter;
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function isUnixSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** As a Date; u64 times beyond the Date range (year 275760) become the latest Date. */
function dateOf(seconds: bigint): Date {
  return new Date(Math.min(Number(seconds) * 1000, 8.64e15));
}

function readTime(value: unknown, field: string): bigint {
  if (isUnixSeconds(value)) return BigInt(value);
  if (typeof value === "string" && /^[0-9]{1,20}$/.test(value)) return BigInt(value);
  return invalid(`${field} must be a non-negative integer (UNIX seconds)`);
}

/** A non-negative integer in plain decimal, no sign, no leading zeros. */
function decimal(value: UnixSeconds, field: string): string {
  if (typeof value === "bigint" && value >= 0n) return value.toString();
  if (isUnixSeconds(value)) return value.toString();
  if (typeof value === "string" && /^[0-9]{1,20}$/.test(value)) return BigInt(value).toString();
  return invalid(`${field} must be a non-negative integer`);
}
