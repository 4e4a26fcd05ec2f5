/**
 * ID-Certs [core §6.1, PROFILE §1]: X.509 v3 certificates, Ed25519 only, signed by the home server's
 * root key. A chain is exactly root → leaf.
 *
 * - Root (home server): self-signed, subject = issuer = the server's pDN (DCs only),
 *   BasicConstraints critical CA=true pathLen=0, KeyUsage critical keyCertSign. 1 year by default.
 * - Actor (leaf): subject = the actor pDN, issuer = the root's subject, KeyUsage critical
 *   digitalSignature, BasicConstraints absent (or critical CA=false). 30 days by default, never
 *   more than 60, always inside the root's validity.
 *
 * We emit strict DER (OpenSSL verifies our chains). We read tolerantly what polyproto-rs 0.11 emits
 * — explicit `CA FALSE`, an 8-byte `pathLen`, KeyUsage bit strings with a wrong unused-bits count —
 * and always verify the signature over the TBS bytes exactly as received, never a re-encoding.
 */
import { AsnConvert, AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  KeyUsage,
  type Name,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_basicConstraints,
  id_ce_keyUsage,
} from "@peculiar/asn1-x509";
import { BitString, Primitive, Sequence, fromBER } from "asn1js";
import { randomBytes } from "./bytes.js";
import { PolyprotoError, fail } from "./errors.js";
import type { IdCsr } from "./idCsr.js";
import { ED25519_OID, PublicKey, type SigningKey } from "./keys.js";
import { type ActorPdn, type HomeServerPdn, type Pdn, homeServerPdn, pdnFromName, pdnToName } from "./pdn.js";
import { fromPem, toPem } from "./pem.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** PROFILE §1: actor certs 30 days by default, never more than 60; roots 1 year by default. */
export const ACTOR_CERT_VALIDITY_MS = 30 * DAY_MS;
export const MAX_ACTOR_CERT_VALIDITY_MS = 60 * DAY_MS;
export const ROOT_CERT_VALIDITY_MS = 365 * DAY_MS;
/** PROFILE §1: serials we issue are random positive integers below 2^63. */
export const MAX_ISSUED_SERIAL = 2n ** 63n - 1n;
/** core §6.1.1: a serial is a 64-bit unsigned integer; we read nothing larger. */
const MAX_SERIAL = 2n ** 64n - 1n;

// ---------------------------------------------------------------------------------------------
// Capabilities: KeyUsage and BasicConstraints [core §6.1.1.2]
// ---------------------------------------------------------------------------------------------

/** KeyUsage bits in RFC 5280 order (bit 0 first). `contentCommitment` is the old nonRepudiation. */
export const KEY_USAGE_BITS = [
  "digitalSignature",
  "contentCommitment",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

export interface BasicConstraintsValue {
  readonly ca: boolean;
  /** Absent when the extension has none; 64-bit values from polyproto-rs are read exactly. */
  readonly pathLen?: bigint;
}

/** One extension as received: its OID, criticality and extnValue bytes. */
export interface IdCertExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** Strict DER of a KeyUsage value (minimal bit string: `03020780` for digitalSignature). */
export function keyUsageToDer(usages: readonly KeyUsageName[]): Uint8Array {
  let flags = 0;
  for (const usage of usages) flags |= 1 << KEY_USAGE_BITS.indexOf(usage);
  return new Uint8Array(AsnConvert.serialize(new KeyUsage(flags)));
}

/**
 * Reads a KeyUsage value. Tolerant (PROFILE §1): the unused-bits count is ignored and every set bit of
 * the content counts, so polyproto-rs's `03020504` reads as keyCertSign and `03020080` as
 * digitalSignature, as polyproto-rs itself reads them. Names come back in bit order.
 */
export function keyUsageFromDer(der: Uint8Array, code = "P2CORE_INVALID_CERT"): KeyUsageName[] {
  const bits = new Uint8Array(parseDer(der, KeyUsage, code, "KeyUsage").value);
  return KEY_USAGE_BITS.filter((_, i) => ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** Strict DER of BasicConstraints (`CA FALSE` omitted, minimal pathLen). */
export function basicConstraintsToDer(value: BasicConstraintsValue): Uint8Array {
  const bc = new BasicConstraints({ cA: value.ca });
  if (value.pathLen !== undefined) bc.pathLenConstraint = Number(value.pathLen);
  return new Uint8Array(AsnConvert.serialize(bc));
}

/** Reads BasicConstraints. Tolerant: explicit `CA FALSE` and over-long pathLen INTEGERs. */
export function basicConstraintsFromDer(
  der: Uint8Array,
  code = "P2CORE_INVALID_CERT",
): BasicConstraintsValue {
  const bc = parseDer(der, BasicConstraints, code, "BasicConstraints");
  if (bc.pathLenConstraint === undefined) return { ca: bc.cA };
  // The library gives a number, or a decimal string when the INTEGER has more than 6 bytes.
  const pathLen = BigInt(bc.pathLenConstraint);
  if (pathLen < 0n) fail(code, "BasicConstraints pathLen is negative");
  return { ca: bc.cA, pathLen };
}

// ---------------------------------------------------------------------------------------------
// The certificate
// ---------------------------------------------------------------------------------------------

/** A parsed ID-Cert. Parsing checks structure and names; `validateIdCert`/`validateRootCert` the rest. */
export interface IdCert {
  /** The certificate exactly as received (or as we emitted it), and its PEM. */
  readonly der: Uint8Array;
  readonly pem: string;
  /** The TBSCertificate bytes as received: what the signature covers. */
  readonly tbsDer: Uint8Array;
  readonly signature: Uint8Array;
  /** The serial number in decimal. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuer: HomeServerPdn;
  readonly subject: Pdn;
  /** The subject's domain (the home server's, for actors and roots alike). */
  readonly domain: string;
  /** Actor certs only. */
  readonly fid: string | undefined;
  readonly sessionId: string | undefined;
  readonly publicKey: PublicKey;
  /** undefined when the extension is absent. */
  readonly keyUsage: readonly KeyUsageName[] | undefined;
  readonly basicConstraints: BasicConstraintsValue | undefined;
  readonly extensions: readonly IdCertExtension[];
}

/** An ID-Cert that passed `validateIdCert`: an actor's session cert. */
export interface ActorIdCert extends IdCert {
  readonly subject: ActorPdn;
  readonly fid: string;
  readonly sessionId: string;
}

/** An ID-Cert that passed `validateRootCert`: a home server's self-signed root. */
export interface RootIdCert extends IdCert {
  readonly subject: HomeServerPdn;
  readonly fid: undefined;
  readonly sessionId: undefined;
}

/** The parsed subject Name of each cert, reused verbatim as the issuer of the certs a root issues. */
const subjectNames = new WeakMap<IdCert, Name>();

/**
 * Parses an ID-Cert from PEM (`CERTIFICATE`) or DER. Checks: one DER element without trailing bytes,
 * X.509 v3, Ed25519 signature algorithms (both fields, no parameters) and key [core §6.5], a serial in
 * 1..2^64-1, pDN subject (actor or home server) and home-server pDN issuer [core §6.1.1.1], at most one
 * of each extension, readable KeyUsage/BasicConstraints. Throws `P2CORE_INVALID_CERT`/`_NAME`.
 */
export async function parseIdCert(pemOrDer: string | Uint8Array): Promise<IdCert> {
  const der = typeof pemOrDer === "string" ? fromPem(pemOrDer, "CERTIFICATE") : pemOrDer;
  const cert = parseDer(der, Certificate, "P2CORE_INVALID_CERT", "X.509 certificate");
  const tbs = cert.tbsCertificate;
  if (!cert.tbsCertificateRaw) fail("P2CORE_INVALID_CERT", "TBSCertificate bytes missing");
  if (tbs.version !== Version.v3) fail("P2CORE_INVALID_CERT", "not an X.509 v3 certificate [core §6.1.1]");
  requireEd25519(cert.signatureAlgorithm, "signatureAlgorithm");
  requireEd25519(tbs.signature, "TBSCertificate signature algorithm");
  requireEd25519(tbs.subjectPublicKeyInfo.algorithm, "subject public key algorithm");

  const serial = integerFromBytes(new Uint8Array(tbs.serialNumber));
  if (serial <= 0n || serial > MAX_SERIAL) {
    fail("P2CORE_INVALID_CERT", "serial number must be a positive 64-bit integer [core §6.1.1]");
  }
  const subject = pdnFromName(tbs.subject);
  const issuer = pdnFromName(tbs.issuer, "homeServer");

  const extensions: IdCertExtension[] = [];
  let keyUsage: KeyUsageName[] | undefined;
  let basicConstraints: BasicConstraintsValue | undefined;
  for (const extension of tbs.extensions ?? []) {
    const value = new Uint8Array(extension.extnValue.buffer);
    if (extensions.some((e) => e.oid === extension.extnID)) {
      fail("P2CORE_INVALID_CERT", `extension ${extension.extnID} appears twice (RFC 5280 §4.2)`);
    }
    extensions.push({ oid: extension.extnID, critical: extension.critical, value });
    if (extension.extnID === id_ce_keyUsage) keyUsage = keyUsageFromDer(value);
    if (extension.extnID === id_ce_basicConstraints) basicConstraints = basicConstraintsFromDer(value);
  }

  const publicKey = await publicKeyOf(tbs.subjectPublicKeyInfo, "P2CORE_INVALID_CERT");
  const received = Uint8Array.from(der);
  const idCert: IdCert = {
    der: received,
    get pem() {
      return toPem(received, "CERTIFICATE");
    },
    tbsDer: new Uint8Array(cert.tbsCertificateRaw),
    signature: new Uint8Array(cert.signatureValue),
    serial: serial.toString(),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    issuer,
    subject,
    domain: subject.domain,
    fid: subject.kind === "actor" ? subject.fid : undefined,
    sessionId: subject.kind === "actor" ? subject.sessionId : undefined,
    publicKey,
    keyUsage,
    basicConstraints,
    extensions,
  };
  // Frozen: a parsed root is a cache key for its verified self-signature.
  subjectNames.set(Object.freeze(idCert), tbs.subject);
  return idCert;
}

export interface ValidateOptions {
  /** The instant to validate at; now by default. */
  readonly at?: Date;
}

export interface ValidateIdCertOptions extends ValidateOptions {
  /**
   * Longest notBefore..notAfter accepted for an actor cert; PROFILE §1's 60 days by default. Raise it
   * only for certs from servers known to issue longer ones (the conformance certs span 10 years).
   */
  readonly maxValidityMs?: number;
}

/**
 * Validates an actor ID-Cert against its home server's root [core §6.1, PROFILE §1], in this order:
 * the root (see `validateRootCert`; its self-signature is checked once per parsed root); an actor pDN;
 * no intermediates (issuer = the root's subject; issuer DCs = subject DCs, same order); extensions
 * (KeyUsage critical with digitalSignature or contentCommitment and no keyCertSign/cRLSign;
 * BasicConstraints absent or critical CA=false without pathLen; no unknown critical extension);
 * validity (notBefore < notAfter, at most `maxValidityMs`, inside the root's, containing `at`);
 * finally the root key's Ed25519 signature over the TBS bytes as received.
 */
export async function validateIdCert(
  cert: IdCert,
  root: IdCert,
  options: ValidateIdCertOptions = {},
): Promise<ActorIdCert> {
  const at = options.at ?? new Date();
  const maxValidityMs = options.maxValidityMs ?? MAX_ACTOR_CERT_VALIDITY_MS;
  const rootCert = await validateRootCert(root, { at });
  const invalid: (message: string) => never = (message) =>
    fail("P2CORE_INVALID_CERT", `ID-Cert ${cert.serial}: ${message}`);

  const subject = cert.subject;
  if (subject.kind !== "actor") invalid("the subject is not an actor's pDN (CN, UID, uniqueIdentifier)");
  if (cert.issuer.domain !== rootCert.subject.domain) {
    invalid(
      `issued by ${cert.issuer.domain}, not by the root of ${rootCert.subject.domain} (no intermediates)`,
    );
  }
  if (cert.issuer.domain !== subject.domain) {
    invalid(`issuer DCs (${cert.issuer.domain}) differ from subject DCs (${subject.domain}) [core §6.1.1]`);
  }

  const bc = cert.basicConstraints;
  if (bc) {
    if (!isCritical(cert, id_ce_basicConstraints))
      invalid("BasicConstraints must be critical [core §6.1.1.2]");
    if (bc.ca) invalid("an actor cert must not be a CA (BasicConstraints CA=true) [core §6.1.1.2]");
    if (bc.pathLen !== undefined) invalid("BasicConstraints pathLen on a non-CA cert");
  }
  const usages = cert.keyUsage;
  if (!usages) invalid("KeyUsage missing [core §6.1.1.2]");
  if (!isCritical(cert, id_ce_keyUsage)) invalid("KeyUsage must be critical [core §6.1.1.2]");
  if (usages.includes("keyCertSign") || usages.includes("cRLSign")) {
    invalid("an actor cert must not have keyCertSign or cRLSign [core §6.1.1.2]");
  }
  if (!usages.includes("digitalSignature") && !usages.includes("contentCommitment")) {
    invalid("KeyUsage needs digitalSignature or contentCommitment [core §6.1.1.2]");
  }
  rejectUnknownCritical(cert, invalid);

  checkValidity(cert, at, invalid);
  if (cert.notAfter.getTime() - cert.notBefore.getTime() > maxValidityMs) {
    invalid(`valid for more than ${Math.round(maxValidityMs / DAY_MS)} days (PROFILE §1)`);
  }
  if (cert.notBefore < rootCert.notBefore) invalid("notBefore is before the root's notBefore [core §6.1.1]");
  if (cert.notAfter > rootCert.notAfter) invalid("notAfter is after the root's notAfter [core §6.1.1]");

  if (!(await rootCert.publicKey.verify(cert.tbsDer, cert.signature))) {
    invalid(`signature does not verify with the root key of ${rootCert.subject.domain}`);
  }
  return cert as ActorIdCert;
}

/** Roots whose self-signature has been verified; the parsed root object is the cache key. */
const verifiedRoots = new WeakSet<IdCert>();

/**
 * Validates a home server's root cert [core §6.1.1.2, PROFILE §1]: a home-server pDN (DCs only, for
 * `domain` when given), self-issued (issuer = subject), BasicConstraints critical CA=true pathLen=0,
 * KeyUsage critical with keyCertSign, no unknown critical extension, valid at `at`, and its own
 * Ed25519 signature over the TBS bytes as received (verified once per parsed object).
 */
export async function validateRootCert(
  root: IdCert,
  options: ValidateOptions & { readonly domain?: string } = {},
): Promise<RootIdCert> {
  const invalid: (message: string) => never = (message) =>
    fail("P2CORE_INVALID_CERT", `root cert ${root.serial}: ${message}`);
  const subject = root.subject;
  if (subject.kind !== "homeServer") invalid("the subject is not a home server's pDN (DCs only)");
  if (options.domain !== undefined && subject.domain !== homeServerPdn(options.domain).domain) {
    invalid(`it is the root of ${subject.domain}, not of ${options.domain.toLowerCase()}`);
  }
  if (root.issuer.domain !== subject.domain) invalid("not self-issued (issuer differs from subject)");

  const bc = root.basicConstraints;
  if (!bc) invalid("BasicConstraints missing [core §6.1.1.2]");
  if (!isCritical(root, id_ce_basicConstraints)) invalid("BasicConstraints must be critical [core §6.1.1.2]");
  if (!bc.ca) invalid("BasicConstraints CA must be true [core §6.1.1.2]");
  if (bc.pathLen !== 0n) invalid("BasicConstraints pathLen must be present and 0 [core §6.1.1.2]");
  if (!root.keyUsage) invalid("KeyUsage missing [core §6.1.1.2]");
  if (!isCritical(root, id_ce_keyUsage)) invalid("KeyUsage must be critical [core §6.1.1.2]");
  if (!root.keyUsage.includes("keyCertSign")) invalid("KeyUsage needs keyCertSign [core §6.1.1.2]");
  rejectUnknownCritical(root, invalid);
  checkValidity(root, options.at ?? new Date(), invalid);

  if (!verifiedRoots.has(root)) {
    if (!(await root.publicKey.verify(root.tbsDer, root.signature)))
      invalid("self-signature does not verify");
    verifiedRoots.add(root);
  }
  return root as RootIdCert;
}

function isCritical(cert: IdCert, oid: string): boolean {
  return cert.extensions.find((e) => e.oid === oid)?.critical === true;
}

/** RFC 5280 §4.2: a critical extension we do not understand makes the cert invalid. */
function rejectUnknownCritical(cert: IdCert, invalid: (message: string) => never): void {
  for (const { oid, critical } of cert.extensions) {
    if (critical && oid !== id_ce_keyUsage && oid !== id_ce_basicConstraints) {
      invalid(`unknown critical extension ${oid}`);
    }
  }
}

function checkValidity(cert: IdCert, at: Date, invalid: (message: string) => never): void {
  if (cert.notBefore >= cert.notAfter) invalid("notBefore is not before notAfter");
  if (at < cert.notBefore) invalid(`not valid yet (notBefore ${cert.notBefore.toISOString()})`);
  if (at > cert.notAfter) invalid(`expired (notAfter ${cert.notAfter.toISOString()})`);
}

// ---------------------------------------------------------------------------------------------
// Issuing
// ---------------------------------------------------------------------------------------------

export interface CertValidityOptions {
  /** Start of validity; now by default. Times are truncated to whole seconds. */
  readonly notBefore?: Date;
  /** End of validity; notBefore + validityMs by default. */
  readonly notAfter?: Date;
  readonly validityMs?: number;
  /** A decimal string or bigint in 1..2^63-1; random by default. */
  readonly serial?: string | bigint;
}

export interface CreateRootCertOptions extends CertValidityOptions {
  readonly signingKey: SigningKey;
  readonly domain: string;
}

/**
 * A home server's self-signed root cert [core §6.1.1.2, PROFILE §1]: pDN of `domain` as subject and
 * issuer, BasicConstraints critical CA=true pathLen=0, KeyUsage critical keyCertSign, 1 year by default.
 */
export async function createRootCert(options: CreateRootCertOptions): Promise<RootIdCert> {
  const subject = homeServerPdn(options.domain);
  const { notBefore, notAfter } = validityOf(options, ROOT_CERT_VALIDITY_MS);
  const name = pdnToName(subject);
  const cert = await signCert({
    issuerKey: options.signingKey,
    serial: serialOf(options.serial),
    issuer: subject,
    issuerName: name,
    subject,
    subjectName: name,
    publicKey: options.signingKey.publicKey,
    notBefore,
    notAfter,
    keyUsage: ["keyCertSign"],
    basicConstraints: { ca: true, pathLen: 0n },
  });
  verifiedRoots.add(cert);
  return cert as RootIdCert;
}

export interface IssueIdCertOptions extends CertValidityOptions {
  /** A parsed (hence signature-checked) ID-CSR. */
  readonly csr: IdCsr;
  /** The home server's root key; must be the key of `rootCert`. */
  readonly issuerKey: SigningKey;
  readonly rootCert: IdCert;
}

/**
 * Issues an actor ID-Cert for a parsed ID-CSR [core §6.1, PROFILE §1]. The caller has already checked
 * that the CSR's FID is the authenticated actor's and that its session ID is free. Here: the root is
 * valid at notBefore and `issuerKey` is its key; the FID's domain is the root's; validity is 30 days
 * by default, refused above 60 days, and clamped inside the root's; the serial is random below 2^63
 * unless given. Extensions: KeyUsage critical digitalSignature only, whatever the CSR asked for.
 */
export async function issueIdCert(options: IssueIdCertOptions): Promise<ActorIdCert> {
  const { csr, issuerKey, rootCert } = options;
  const requested = validityOf(options, ACTOR_CERT_VALIDITY_MS);
  if (requested.notAfter.getTime() - requested.notBefore.getTime() > MAX_ACTOR_CERT_VALIDITY_MS) {
    fail("P2CORE_INVALID_CERT", "an actor cert is valid for at most 60 days (PROFILE §1)");
  }
  const root = await validateRootCert(rootCert, { at: latest(requested.notBefore, rootCert.notBefore) });
  if (!issuerKey.publicKey.equals(root.publicKey)) {
    fail("P2CORE_INVALID_CERT", "the issuer key is not the key of the root cert");
  }
  if (csr.subject.domain !== root.subject.domain) {
    fail("P2CORE_INVALID_CSR", `the CSR is for ${csr.fid}, not for an actor of ${root.subject.domain}`);
  }
  // core §6.1.1: never before the root's notBefore, never after its notAfter.
  const notBefore = latest(requested.notBefore, root.notBefore);
  const notAfter = new Date(Math.min(requested.notAfter.getTime(), root.notAfter.getTime()));
  if (notBefore >= notAfter) fail("P2CORE_INVALID_CERT", "no validity left inside the root's validity");

  const cert = await signCert({
    issuerKey,
    serial: serialOf(options.serial),
    issuer: root.subject,
    issuerName: subjectNames.get(root) ?? pdnToName(root.subject),
    subject: csr.subject,
    subjectName: pdnToName(csr.subject),
    publicKey: csr.publicKey,
    notBefore,
    notAfter,
    keyUsage: ["digitalSignature"],
    basicConstraints: undefined,
  });
  return cert as ActorIdCert;
}

interface CertFields {
  readonly issuerKey: SigningKey;
  readonly serial: bigint;
  readonly issuer: HomeServerPdn;
  readonly issuerName: Name;
  readonly subject: Pdn;
  readonly subjectName: Name;
  readonly publicKey: PublicKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyUsage: readonly KeyUsageName[];
  readonly basicConstraints: BasicConstraintsValue | undefined;
}

/** Encodes (strict DER), signs and returns the cert without parsing it again. */
async function signCert(fields: CertFields): Promise<IdCert> {
  const extensions: IdCertExtension[] = [];
  // polyproto-rs's order: BasicConstraints, then KeyUsage.
  if (fields.basicConstraints) {
    extensions.push({
      oid: id_ce_basicConstraints,
      critical: true,
      value: basicConstraintsToDer(fields.basicConstraints),
    });
  }
  extensions.push({ oid: id_ce_keyUsage, critical: true, value: keyUsageToDer(fields.keyUsage) });

  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: integerToBytes(fields.serial).buffer as ArrayBuffer,
    signature: ed25519Algorithm(),
    issuer: fields.issuerName,
    validity: new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter }),
    subject: fields.subjectName,
    subjectPublicKeyInfo: new SubjectPublicKeyInfo({
      algorithm: ed25519Algorithm(),
      subjectPublicKey: fields.publicKey.raw.slice().buffer as ArrayBuffer,
    }),
    extensions: new Extensions(
      extensions.map(
        (e) => new Extension({ extnID: e.oid, critical: e.critical, extnValue: new OctetString(e.value) }),
      ),
    ),
  });
  const { der, signedDer: tbsDer, signature } = await encodeSigned(tbs, fields.issuerKey);
  const subject = fields.subject;
  const cert: IdCert = {
    der,
    get pem() {
      return toPem(der, "CERTIFICATE");
    },
    tbsDer,
    signature,
    serial: fields.serial.toString(),
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    issuer: fields.issuer,
    subject,
    domain: subject.domain,
    fid: subject.kind === "actor" ? subject.fid : undefined,
    sessionId: subject.kind === "actor" ? subject.sessionId : undefined,
    publicKey: fields.publicKey,
    keyUsage: fields.keyUsage,
    basicConstraints: fields.basicConstraints,
    extensions,
  };
  subjectNames.set(Object.freeze(cert), fields.subjectName);
  return cert;
}

function validityOf(options: CertValidityOptions, defaultMs: number): { notBefore: Date; notAfter: Date } {
  const notBefore = wholeSeconds(options.notBefore ?? new Date());
  let notAfter: Date;
  if (options.notAfter) {
    notAfter = wholeSeconds(options.notAfter);
  } else {
    const validityMs = options.validityMs ?? defaultMs;
    if (!Number.isFinite(validityMs) || validityMs <= 0)
      fail("P2CORE_INVALID_CERT", "validity must be positive");
    notAfter = wholeSeconds(new Date(notBefore.getTime() + validityMs));
  }
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()) || notAfter <= notBefore) {
    fail("P2CORE_INVALID_CERT", "notAfter must be after notBefore");
  }
  return { notBefore, notAfter };
}

function latest(a: Date, b: Date): Date {
  return new Date(Math.max(a.getTime(), b.getTime()));
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** A serial in 1..2^63-1 (PROFILE §1): the one given, or 63 random bits. */
function serialOf(given: string | bigint | undefined): bigint {
  if (given !== undefined) {
    const serial = typeof given === "bigint" ? given : /^[0-9]{1,20}$/.test(given) ? BigInt(given) : -1n;
    if (serial <= 0n || serial > MAX_ISSUED_SERIAL) {
      fail("P2CORE_INVALID_CERT", `serial must be an integer in 1..2^63-1: ${String(given)}`);
    }
    return serial;
  }
  for (;;) {
    const bytes = randomBytes(8);
    bytes[0]! &= 0x7f;
    const serial = integerFromBytes(bytes);
    if (serial > 0n) return serial;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared with idCsr.ts
// ---------------------------------------------------------------------------------------------

const ed25519Algorithm = () => new AlgorithmIdentifier({ algorithm: ED25519_OID });

/**
 * Encodes a to-be-signed structure (TBSCertificate, CertificationRequestInfo) once, signs those bytes
 * with Ed25519 and returns them with the whole `SEQUENCE { toBeSigned, algorithm, BIT STRING }`
 * (RFC 5280 §4.1, RFC 2986 §4). The library does all the encoding; the encoded to-be-signed content is
 * handed to the outer SEQUENCE as a ready value, because nesting the structure itself makes asn1js
 * encode it a second time — half the cost of issuing a cert.
 */
export async function encodeSigned(
  toBeSigned: object,
  key: SigningKey,
): Promise<{ der: Uint8Array; signedDer: Uint8Array; signature: Uint8Array }> {
  const block = AsnSerializer.toASN(toBeSigned) as Sequence;
  const encoded = new Primitive({
    idBlock: { tagClass: 1, tagNumber: 16 },
    valueHex: block.valueBlock.toBER(),
  });
  encoded.idBlock.isConstructed = true; // a SEQUENCE whose content is already encoded
  const signedDer = new Uint8Array(encoded.toBER());
  const signature = await key.sign(signedDer);
  const outer = new Sequence({
    value: [encoded, AsnSerializer.toASN(ed25519Algorithm()), new BitString({ valueHex: signature })],
  });
  return { der: new Uint8Array(outer.toBER()), signedDer, signature };
}

/**
 * Parses exactly one DER/BER element of type `T` with the ASN.1 library, refusing trailing bytes.
 * Any failure becomes a PolyprotoError with `code`, naming `what`.
 */
export function parseDer<T>(der: Uint8Array, type: new () => T, code: string, what: string): T {
  if (!(der instanceof Uint8Array) || der.length === 0) fail(code, `${what}: no bytes`);
  const { offset, result } = fromBER(der);
  if (offset === -1 || result.error) fail(code, `${what}: not DER (${result.error || "unreadable"})`);
  if (offset !== der.length) fail(code, `${what}: ${der.length - offset} trailing bytes after the DER`);
  try {
    return AsnParser.fromASN(result, type);
  } catch (error) {
    if (error instanceof PolyprotoError) throw error;
    return fail(code, `${what}: ${(error as Error).message}`);
  }
}

/** The Ed25519 public key of an SPKI (RFC 8410: no parameters), strictly imported. */
export async function publicKeyOf(spki: SubjectPublicKeyInfo, code: string): Promise<PublicKey> {
  try {
    return await PublicKey.fromRaw(new Uint8Array(spki.subjectPublicKey));
  } catch (error) {
    return fail(code, `subject public key: ${(error as Error).message}`);
  }
}

/** core §6.5: Ed25519 (1.3.101.112) everywhere, parameters absent (RFC 8410 §3). */
export function requireEd25519(
  algorithm: AlgorithmIdentifier,
  field: string,
  code = "P2CORE_INVALID_CERT",
): void {
  if (algorithm.algorithm !== ED25519_OID) {
    fail(code, `${field} is ${algorithm.algorithm}; polyproto requires Ed25519 (${ED25519_OID}) [core §6.5]`);
  }
  if (algorithm.parameters != null) fail(code, `${field}: Ed25519 takes no parameters (RFC 8410)`);
}

/** A DER INTEGER's content (two's complement, big-endian) as a bigint. */
function integerFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/** The minimal two's-complement content of a positive INTEGER (DER, X.690 §8.3.2). */
function integerToBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
