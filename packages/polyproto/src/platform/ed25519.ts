/**
 * What the protocol needs from the platform's Ed25519 implementation. Node uses node:crypto
 * (synchronous, fast); browsers use WebCrypto. Selected by the `#platform` import condition in
 * package.json, so a browser bundle never sees node:crypto.
 */
export interface Ed25519Platform {
  /** A fresh key pair: PKCS#8 DER of the private key and the raw 32-byte public key. */
  generate(): Promise<{ pkcs8: Uint8Array; publicRaw: Uint8Array }>;
  /** Imports a PKCS#8 private key; returns a signer and the raw public key it implies. */
  importPrivate(pkcs8: Uint8Array): Promise<{ sign: Signer; publicRaw: Uint8Array; seed: Uint8Array }>;
  /** Imports a raw 32-byte public key for verification (RFC 8032 verification by the platform). */
  importPublic(raw: Uint8Array): Promise<Verifier>;
  sha256(data: Uint8Array): Promise<Uint8Array>;
}

export type Signer = (message: Uint8Array) => Promise<Uint8Array>;
export type Verifier = (message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
