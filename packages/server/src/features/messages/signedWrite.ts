/**
 * Signed writes (PROFILE §6): what the server checks of `{envelope, signature}` before it stores
 * anything — the exact shape, the claims against the caller's session and the route, the clock, and
 * the signature with the caller's cert key. Keys are imported once per cert and cached.
 */
import {
  checkEnvelopeClaims,
  envelopeSigningBytes,
  fromHex,
  MAX_CLOCK_SKEW_MS,
  parseEnvelope,
  parseIdCert,
  PolyprotoError,
  PublicKey,
  SIGNED_MESSAGE_PREFIX,
  type SignedEnvelope,
} from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import type { IdCertStore } from "../../storage/idCertStore.js";
import type { Session } from "../sessions/service.js";

/** A write whose shape and claims hold; its signature is not checked yet. */
export interface ParsedWrite {
  readonly envelope: SignedEnvelope;
  readonly signature: string;
  /** `ts` is more than 5 minutes from the server's clock (a retry of a stored write may still be fine). */
  readonly stale: boolean;
}

/** A write whose signature verified: its RFC 8785 text is what gets stored and served. */
export interface VerifiedWrite extends ParsedWrite {
  readonly canonical: string;
}

export interface WriteExpectations {
  readonly kind: string;
  readonly to: string;
  readonly now: number;
}

/** Claims that name the wrong actor or session are refused as forbidden, the rest as bad requests. */
const FORBIDDEN_CODES = new Set(["P2CORE_ENVELOPE_WRONG_AUTHOR", "P2CORE_ENVELOPE_WRONG_SESSION"]);

/**
 * Checks the envelope's shape (`P2CORE_INVALID_ENVELOPE`, 400), kind and address (400), author and
 * session/serial against the caller's token (403). Staleness is reported, not thrown.
 */
export function parseWrite(
  session: Session,
  input: { envelope: unknown; signature: string },
  expected: WriteExpectations,
): ParsedWrite {
  try {
    const envelope = parseEnvelope(input.envelope);
    checkEnvelopeClaims(envelope, {
      author: session.fid,
      session: session.sessionId,
      serial: session.certSerial,
      to: expected.to,
      kind: expected.kind,
      maxSkewMs: Number.POSITIVE_INFINITY,
    });
    return {
      envelope,
      signature: input.signature,
      stale: Math.abs(expected.now - envelope.ts) > MAX_CLOCK_SKEW_MS,
    };
  } catch (error) {
    if (error instanceof PolyprotoError && FORBIDDEN_CODES.has(error.code)) {
      throw new P2Error(403, error.code as `P2CORE_${string}`, error.message);
    }
    throw error;
  }
}

/** The error a stale write gets when it is not a retry of a stored one. */
export function staleError(): P2Error {
  return new P2Error(
    400,
    "P2CORE_ENVELOPE_STALE",
    "envelope.ts is more than 5 minutes from the server's clock",
  );
}

const decoder = new TextDecoder();

/**
 * Verifies the signature with the caller's cert key; `403 P2CHAT_BAD_SIGNATURE` when it does not
 * hold. The envelope is canonicalised once: the same text is verified, stored and served.
 */
export async function verifyWrite(
  keys: AuthorKeys,
  session: Session,
  write: ParsedWrite,
): Promise<VerifiedWrite> {
  const bytes = envelopeSigningBytes(write.envelope);
  const key = await keys.keyOf(session);
  if (!(await key.verifyHex(bytes, write.signature))) {
    throw new P2Error(
      403,
      "P2CHAT_BAD_SIGNATURE",
      "the signature does not verify with the caller's ID-Cert key",
    );
  }
  return { ...write, canonical: decoder.decode(bytes).slice(SIGNED_MESSAGE_PREFIX.length) };
}

interface CachedKey {
  /** What the key was derived from: the local cert's (fid, session ID), or the foreign cert's PEM. */
  readonly source: string;
  readonly key: PublicKey;
}

/**
 * The public keys of callers' certs, imported once. Local actors: the cert this server issued
 * (`idCerts.find(serial)`); foreign actors: the cert their key trial proved (the session's PEM).
 * A serial's key never changes, and a revoked cert has no live token, so entries need no expiry;
 * the map is bounded (least recently used out first).
 */
export class AuthorKeys {
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly idCerts: Pick<IdCertStore, "find">,
    private readonly maxEntries = 10_000,
  ) {}

  async keyOf(session: Session): Promise<PublicKey> {
    const cacheKey = session.foreign ? `${session.homeDomain}\n${session.certSerial}` : session.certSerial;
    const source = session.foreign ? session.certPem : `${session.fid}\n${session.sessionId}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.source === source) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, cached);
      return cached.key;
    }
    const key = session.foreign ? await this.foreignKey(session.certPem) : await this.localKey(session);
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, { source, key });
    return key;
  }

  private async localKey(session: Session): Promise<PublicKey> {
    const cert = await this.idCerts.find(session.certSerial);
    const raw =
      cert && cert.fid === session.fid && cert.sessionId === session.sessionId
        ? fromHex(cert.publicKeyHex)
        : undefined;
    if (!raw) throw new P2Error(401, "P2CORE_UNAUTHORIZED", "the session's ID-Cert is unknown");
    return PublicKey.fromRaw(raw);
  }

  private async foreignKey(certPem: string): Promise<PublicKey> {
    return (await parseIdCert(certPem)).publicKey;
  }
}
