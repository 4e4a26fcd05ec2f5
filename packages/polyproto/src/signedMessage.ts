/**
 * Signed messages [core §6.2, PROFILE §6]. Every message in the glossary's sense is an envelope
 * signed by the sending session:
 *
 *   signature = Ed25519(session key, UTF-8("polyproto-chat/1\n" + JCS(envelope)))
 *
 * JCS is RFC 8785 canonical JSON (the `canonicalize` library). Servers store the envelope and the
 * signature unchanged, so anyone can re-verify against the cert valid at `ts`.
 */
import canonicalize from "canonicalize";
import { isValidSessionId } from "./sessionId.js";
import { randomBytes, toHex, utf8 } from "./bytes.js";
import { fail } from "./errors.js";
import { tryParseFederationId } from "./federationId.js";
import type { PublicKey, SigningKey } from "./keys.js";

export const SIGNED_MESSAGE_PREFIX = "polyproto-chat/1\n";
/** How far `ts` may be from the receiver's clock (PROFILE §6: ±5 minutes). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface SignedEnvelope {
  v: 1;
  /** `chat.message`, `chat.edit`, `chat.reaction`, `chat.invite`, … */
  kind: string;
  /** The conversation address: `chat:channel:<domain>/<id>` or `chat:dm:<recipient fid>`. */
  to: string;
  author: string;
  session: string;
  /** The serial of the author's ID-Cert, decimal. */
  serial: string;
  /** UNIX milliseconds. */
  ts: number;
  /** 128 random bits, lowercase hex; `(author, nonce)` makes a write idempotent. */
  nonce: string;
  body: Record<string, unknown>;
}

const ENVELOPE_KEYS = ["author", "body", "kind", "nonce", "serial", "session", "to", "ts", "v"];
const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const NONCE = /^[0-9a-f]{32}$/;
const SERIAL = /^[1-9][0-9]{0,39}$/;

/** A fresh nonce: 128 random bits as lowercase hex. */
export function newNonce(): string {
  return toHex(randomBytes(16));
}

/** Builds an envelope with a fresh nonce and the current time unless given. */
export function createEnvelope(
  fields: Omit<SignedEnvelope, "v" | "ts" | "nonce"> & { ts?: number; nonce?: string },
): SignedEnvelope {
  return {
    v: 1,
    kind: fields.kind,
    to: fields.to,
    author: fields.author,
    session: fields.session,
    serial: fields.serial,
    ts: fields.ts ?? Date.now(),
    nonce: fields.nonce ?? newNonce(),
    body: fields.body,
  };
}

/**
 * Checks that `input` has exactly the envelope's shape (no extra keys, every field well-formed);
 * throws `P2CORE_INVALID_ENVELOPE` naming the first bad field.
 */
export function parseEnvelope(input: unknown): SignedEnvelope {
  const bad = (field: string, why: string): never => fail("P2CORE_INVALID_ENVELOPE", `envelope.${field}: ${why}`);
  if (typeof input !== "object" || input === null || Array.isArray(input)) bad("", "must be an object");
  const e = input as Record<string, unknown>;
  const keys = Object.keys(e).sort();
  if (keys.join() !== ENVELOPE_KEYS.join()) {
    const extra = keys.filter((k) => !ENVELOPE_KEYS.includes(k));
    const missing = ENVELOPE_KEYS.filter((k) => !keys.includes(k));
    bad(extra[0] ?? missing[0] ?? "", extra.length > 0 ? "unknown field" : "missing");
  }
  if (e.v !== 1) bad("v", "must be 1");
  if (typeof e.kind !== "string" || !KIND.test(e.kind)) bad("kind", "must look like `chat.message`");
  if (typeof e.to !== "string" || e.to.length === 0 || e.to.length > 512) bad("to", "must be an address");
  const author = tryParseFederationId(e.author);
  // Lowercase only: the signed bytes must be what every party derives from the FID.
  if (!author || author.fid !== e.author) bad("author", "must be a lowercase federation ID");
  if (!isValidSessionId(e.session)) bad("session", "must be a session ID");
  if (typeof e.serial !== "string" || !SERIAL.test(e.serial)) bad("serial", "must be a decimal serial");
  if (typeof e.ts !== "number" || !Number.isSafeInteger(e.ts) || e.ts < 0) bad("ts", "must be UNIX ms");
  if (typeof e.nonce !== "string" || !NONCE.test(e.nonce)) bad("nonce", "must be 32 lowercase hex digits");
  if (typeof e.body !== "object" || e.body === null || Array.isArray(e.body)) bad("body", "must be an object");
  return e as unknown as SignedEnvelope;
}

/** The exact bytes that are signed: the domain prefix and the RFC 8785 form of the envelope. */
export function envelopeSigningBytes(envelope: SignedEnvelope): Uint8Array {
  const canonical = canonicalize(envelope);
  if (canonical === undefined) fail("P2CORE_INVALID_ENVELOPE", "envelope is not JSON");
  return utf8(SIGNED_MESSAGE_PREFIX + canonical);
}

/** Signs an envelope; returns the signature as lowercase hex. */
export function signEnvelope(key: SigningKey, envelope: SignedEnvelope): Promise<string> {
  return key.signHex(envelopeSigningBytes(envelope));
}

/** True when `signatureHex` is `publicKey`'s signature over the envelope's signing bytes. */
export function verifyEnvelope(publicKey: PublicKey, envelope: SignedEnvelope, signatureHex: string): Promise<boolean> {
  return publicKey.verifyHex(envelopeSigningBytes(envelope), signatureHex);
}

/** What a receiver expects of an envelope besides its signature (PROFILE §6). */
export interface EnvelopeExpectations {
  author: string;
  session: string;
  serial: string;
  to?: string;
  kind?: string;
  now?: number;
  maxSkewMs?: number;
}

/**
 * Checks the envelope's claims against the caller's session and the route; throws with a machine
 * code for each failure: P2CORE_ENVELOPE_WRONG_AUTHOR, …_WRONG_SESSION, …_WRONG_ADDRESS,
 * …_WRONG_KIND, …_STALE.
 */
export function checkEnvelopeClaims(envelope: SignedEnvelope, expected: EnvelopeExpectations): void {
  if (envelope.author !== expected.author) {
    fail("P2CORE_ENVELOPE_WRONG_AUTHOR", "envelope.author is not the authenticated actor");
  }
  if (envelope.session !== expected.session || envelope.serial !== expected.serial) {
    fail("P2CORE_ENVELOPE_WRONG_SESSION", "envelope.session/serial are not the authenticated session's");
  }
  if (expected.to !== undefined && envelope.to !== expected.to) {
    fail("P2CORE_ENVELOPE_WRONG_ADDRESS", `envelope.to must be ${expected.to}`);
  }
  if (expected.kind !== undefined && envelope.kind !== expected.kind) {
    fail("P2CORE_ENVELOPE_WRONG_KIND", `envelope.kind must be ${expected.kind}`);
  }
  const skew = Math.abs((expected.now ?? Date.now()) - envelope.ts);
  if (skew > (expected.maxSkewMs ?? MAX_CLOCK_SKEW_MS)) {
    fail("P2CORE_ENVELOPE_STALE", "envelope.ts is more than 5 minutes from the server's clock");
  }
}
