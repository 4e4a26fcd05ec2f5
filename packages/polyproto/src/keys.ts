/**
 * Ed25519 identity keys [core §6.5, PROFILE §1]: server roots and actor sessions.
 * Signing and verification come from the platform (node:crypto or WebCrypto); this module adds
 * the encodings (raw, PKCS#8 and SPKI in DER and PEM) and the strictness rules of the profile.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { platform } from "#platform/ed25519";
import type { Signer, Verifier } from "./platform/ed25519.js";
import { bytesEqual, fromHex, toHex } from "./bytes.js";
import { fail } from "./errors.js";
import { fromPem, toPem } from "./pem.js";

/** id-Ed25519 (RFC 8410). */
export const ED25519_OID = "1.3.101.112";

export const SIGNATURE_LENGTH = 64;

/** A public identity key. Construct through the static importers, which reject unusable keys. */
export class PublicKey {
  private constructor(
    /** The raw 32-byte key (RFC 8032 encoding). */
    readonly raw: Uint8Array,
    private readonly verifier: Verifier,
  ) {}

  /**
   * Imports a raw key. Rejects keys that are not a canonical point encoding or have small order
   * (PROFILE §1: strict verification) — with such a key a signature can verify for many messages.
   */
  static async fromRaw(raw: Uint8Array): Promise<PublicKey> {
    if (!(raw instanceof Uint8Array) || raw.length !== 32) {
      fail("P2CORE_INVALID_KEY", "an Ed25519 public key has 32 bytes");
    }
    let smallOrder: boolean;
    try {
      smallOrder = ed25519.Point.fromBytes(raw, false).isSmallOrder();
    } catch {
      fail("P2CORE_INVALID_KEY", "not a canonical Ed25519 point");
    }
    if (smallOrder) fail("P2CORE_INVALID_KEY", "Ed25519 public key of small order");
    return new PublicKey(Uint8Array.from(raw), await platform.importPublic(raw));
  }

  static async fromSpkiDer(der: Uint8Array): Promise<PublicKey> {
    return PublicKey.fromRaw(rawFromSpki(der));
  }

  static async fromSpkiPem(pem: string): Promise<PublicKey> {
    return PublicKey.fromSpkiDer(fromPem(pem, "PUBLIC KEY"));
  }

  /** Strict verification: a wrong length, a non-canonical S or a wrong signature all give false. */
  async verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.length !== SIGNATURE_LENGTH) return false;
    return this.verifier(message, signature);
  }

  /** Verifies a lowercase-hex signature as it travels on the wire. */
  async verifyHex(message: Uint8Array, signatureHex: string): Promise<boolean> {
    if (typeof signatureHex !== "string" || signatureHex !== signatureHex.toLowerCase()) return false;
    const signature = fromHex(signatureHex);
    return signature !== undefined && this.verify(message, signature);
  }

  toSpkiDer(): Uint8Array {
    return spkiFromRaw(this.raw);
  }

  toSpkiPem(): string {
    return toPem(this.toSpkiDer(), "PUBLIC KEY");
  }

  equals(other: PublicKey): boolean {
    return bytesEqual(this.raw, other.raw);
  }

  toHex(): string {
    return toHex(this.raw);
  }
}

/** A private identity key with its public half. */
export class SigningKey {
  private constructor(
    private readonly signer: Signer,
    private readonly pkcs8: Uint8Array,
    private readonly rawSeed: Uint8Array,
    readonly publicKey: PublicKey,
  ) {}

  static async generate(): Promise<SigningKey> {
    const { pkcs8 } = await platform.generate();
    return SigningKey.fromPkcs8Der(pkcs8);
  }

  static async fromPkcs8Der(der: Uint8Array): Promise<SigningKey> {
    let imported: Awaited<ReturnType<typeof platform.importPrivate>>;
    try {
      imported = await platform.importPrivate(der);
    } catch {
      fail("P2CORE_INVALID_KEY", "not an Ed25519 PKCS#8 private key");
    }
    const publicKey = await PublicKey.fromRaw(imported.publicRaw);
    return new SigningKey(imported.sign, Uint8Array.from(der), imported.seed, publicKey);
  }

  static async fromPkcs8Pem(pem: string): Promise<SigningKey> {
    return SigningKey.fromPkcs8Der(fromPem(pem, "PRIVATE KEY"));
  }

  /** Imports the raw 32-byte RFC 8032 seed. */
  static async fromSeed(seed: Uint8Array): Promise<SigningKey> {
    if (seed.length !== 32) fail("P2CORE_INVALID_KEY", "an Ed25519 seed has 32 bytes");
    const info = new PrivateKeyInfo({
      privateKeyAlgorithm: new AlgorithmIdentifier({ algorithm: ED25519_OID }),
      // RFC 8410 §7: the private key is an OCTET STRING wrapped in the PrivateKey OCTET STRING.
      privateKey: new OctetString(AsnConvert.serialize(new OctetString(seed))),
    });
    return SigningKey.fromPkcs8Der(new Uint8Array(AsnConvert.serialize(info)));
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    return this.signer(message);
  }

  async signHex(message: Uint8Array): Promise<string> {
    return toHex(await this.sign(message));
  }

  toPkcs8Der(): Uint8Array {
    return Uint8Array.from(this.pkcs8);
  }

  toPkcs8Pem(): string {
    return toPem(this.pkcs8, "PRIVATE KEY");
  }

  seed(): Uint8Array {
    return Uint8Array.from(this.rawSeed);
  }
}

export function spkiFromRaw(raw: Uint8Array): Uint8Array {
  const spki = new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({ algorithm: ED25519_OID }),
    subjectPublicKey: raw.slice().buffer,
  });
  return new Uint8Array(AsnConvert.serialize(spki));
}

/** Extracts the raw key of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4: parameters absent). */
export function rawFromSpki(der: Uint8Array): Uint8Array {
  let spki: SubjectPublicKeyInfo;
  try {
    spki = AsnConvert.parse(der, SubjectPublicKeyInfo);
  } catch {
    fail("P2CORE_INVALID_KEY", "not a SubjectPublicKeyInfo");
  }
  if (spki.algorithm.algorithm !== ED25519_OID || spki.algorithm.parameters != null) {
    fail("P2CORE_INVALID_KEY", "not an Ed25519 public key");
  }
  return new Uint8Array(spki.subjectPublicKey);
}

export const sha256 = (data: Uint8Array): Promise<Uint8Array> => platform.sha256(data);
