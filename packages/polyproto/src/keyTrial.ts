/**
 * Key trials and challenge strings [core §4.1.1, §4.3, PROFILE §3]. A foreign server hands out a
 * challenge; the actor signs its UTF-8 bytes (no prefix, no hashing beyond Ed25519) with the key of
 * the ID-Cert it authenticates with; the signature travels as lowercase hex.
 */
import { randomBytes, utf8 } from "./bytes.js";
import type { PublicKey, SigningKey } from "./keys.js";

/** Length bounds of any challenge we accept [core §4.3, OpenAPI KeyTrial: 32..=256 characters]. */
export const CHALLENGE_MIN_LENGTH = 32;
export const CHALLENGE_MAX_LENGTH = 256;
/** What we issue (PROFILE §3): 64 characters of [A-Za-z0-9], ~381 bits of entropy. */
export const CHALLENGE_LENGTH = 64;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh challenge string, uniformly random over the alphabet (rejection sampling, no modulo bias). */
export function generateChallenge(length = CHALLENGE_LENGTH): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes at or above it would bias the first characters.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function isValidChallenge(challenge: unknown): challenge is string {
  return (
    typeof challenge === "string" &&
    challenge.length >= CHALLENGE_MIN_LENGTH &&
    challenge.length <= CHALLENGE_MAX_LENGTH
  );
}

/** The key-trial response: the signature over the challenge, lowercase hex. */
export function signKeyTrial(key: SigningKey, challenge: string): Promise<string> {
  return key.signHex(utf8(challenge));
}

/** True when `signatureHex` is `publicKey`'s signature over the UTF-8 bytes of `challenge`. */
export function verifyKeyTrial(publicKey: PublicKey, challenge: string, signatureHex: string): Promise<boolean> {
  return publicKey.verifyHex(utf8(challenge), signatureHex);
}
