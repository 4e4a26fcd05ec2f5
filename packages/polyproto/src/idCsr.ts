/**
 * ID-CSRs [core §6.1, PROFILE §1]: PKCS#10 (RFC 2986) certification requests with an actor pDN as
 * subject, an Ed25519 key, and the requested capabilities.
 *
 * We emit the requested extensions in a standard `extensionRequest` attribute (PKCS#9,
 * 1.2.840.113549.1.9.14): KeyUsage critical digitalSignature. We also read polyproto-rs's form, where
 * KeyUsage (2.5.29.15) and BasicConstraints (2.5.29.19) are direct PKCS#10 attributes. The
 * self-signature is verified over the CertificationRequestInfo bytes as received.
 *
 * The request only asks; the home server decides [PROFILE §1]: it checks the FID against the
 * authenticated actor and the session ID against the actor's live certs, and issues KeyUsage
 * digitalSignature whatever was requested.
 */
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Attribute,
  Extension,
  Extensions,
  SubjectPublicKeyInfo,
  id_ce_basicConstraints,
  id_ce_keyUsage,
} from "@peculiar/asn1-x509";
import { fail } from "./errors.js";
import {
  type BasicConstraintsValue,
  type KeyUsageName,
  basicConstraintsFromDer,
  encodeSigned,
  keyUsageFromDer,
  keyUsageToDer,
  parseDer,
  publicKeyOf,
  requireEd25519,
} from "./idCert.js";
import { ED25519_OID, type PublicKey, type SigningKey } from "./keys.js";
import { type ActorPdn, actorPdn, pdnFromName, pdnToName } from "./pdn.js";
import { fromPem, toPem } from "./pem.js";

/** PKCS#9 extensionRequest (RFC 2985 §5.4.2). */
export const EXTENSION_REQUEST_OID = "1.2.840.113549.1.9.14";

/** What the CSR asks for. Absent fields: not requested. */
export interface RequestedCapabilities {
  readonly keyUsage?: readonly KeyUsageName[];
  /** Whether KeyUsage was marked critical (always true for the direct-attribute form, which has no flag). */
  readonly keyUsageCritical?: boolean;
  readonly basicConstraints?: BasicConstraintsValue;
  /** Where the capabilities were found. */
  readonly form: "extensionRequest" | "attributes" | "none";
}

export interface IdCsr {
  readonly der: Uint8Array;
  readonly pem: string;
  /** CertificationRequestInfo bytes as received: what the signature covers. */
  readonly infoDer: Uint8Array;
  readonly signature: Uint8Array;
  readonly subject: ActorPdn;
  readonly fid: string;
  readonly sessionId: string;
  readonly publicKey: PublicKey;
  readonly capabilities: RequestedCapabilities;
}

export interface CreateIdCsrOptions {
  /** The session's key; its public half goes in the CSR, and it signs the request. */
  readonly signingKey: SigningKey;
  readonly fid: string;
  readonly sessionId: string;
}

/** Client side: an ID-CSR for a new session (strict DER, capabilities in `extensionRequest`). */
export async function createIdCsr(options: CreateIdCsrOptions): Promise<IdCsr> {
  const subject = actorPdn(options.fid, options.sessionId);
  const keyUsage: KeyUsageName[] = ["digitalSignature"];
  const requested = new Extensions([
    new Extension({
      extnID: id_ce_keyUsage,
      critical: true,
      extnValue: new OctetString(keyUsageToDer(keyUsage)),
    }),
  ]);
  const info = new CertificationRequestInfo({
    version: 0,
    subject: pdnToName(subject),
    subjectPKInfo: new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: ED25519_OID }),
      subjectPublicKey: options.signingKey.publicKey.raw.slice().buffer as ArrayBuffer,
    }),
    attributes: new Attributes([
      new Attribute({ type: EXTENSION_REQUEST_OID, values: [AsnConvert.serialize(requested)] }),
    ]),
  });
  const { der, signedDer: infoDer, signature } = await encodeSigned(info, options.signingKey);
  return {
    der,
    get pem() {
      return toPem(der, "CERTIFICATE REQUEST");
    },
    infoDer,
    signature,
    subject,
    fid: subject.fid,
    sessionId: subject.sessionId,
    publicKey: options.signingKey.publicKey,
    capabilities: { keyUsage, keyUsageCritical: true, form: "extensionRequest" },
  };
}

/**
 * Server side: parses an ID-CSR from PEM (`CERTIFICATE REQUEST`) or DER and verifies it. Checks:
 * one DER element, version 1 (0), an actor pDN [core §6.1.1.1], Ed25519 key and signature algorithm
 * [core §6.5], readable capabilities in either form (not both), no CA request (CA=true, keyCertSign
 * or cRLSign) [core §6.1.1.2], no unknown critical requested extension, and the self-signature over
 * the CertificationRequestInfo bytes as received. Throws `P2CORE_INVALID_CSR` / `P2CORE_INVALID_NAME`.
 */
export async function parseIdCsr(pemOrDer: string | Uint8Array): Promise<IdCsr> {
  const der = typeof pemOrDer === "string" ? csrFromPem(pemOrDer) : pemOrDer;
  const csr = parseDer(der, CertificationRequest, "P2CORE_INVALID_CSR", "PKCS#10 request");
  const info = csr.certificationRequestInfo;
  if (!csr.certificationRequestInfoRaw) fail("P2CORE_INVALID_CSR", "CertificationRequestInfo bytes missing");
  if (info.version !== 0) fail("P2CORE_INVALID_CSR", `PKCS#10 version ${info.version}, expected 0 (v1)`);
  requireEd25519(csr.signatureAlgorithm, "signatureAlgorithm", "P2CORE_INVALID_CSR");
  requireEd25519(info.subjectPKInfo.algorithm, "subject public key algorithm", "P2CORE_INVALID_CSR");
  const subject = pdnFromName(info.subject, "actor");
  const capabilities = readCapabilities(info.attributes ?? []);

  if (capabilities.basicConstraints?.ca) fail("P2CORE_INVALID_CSR", "an actor may not request a CA cert");
  if (capabilities.keyUsage?.some((u) => u === "keyCertSign" || u === "cRLSign")) {
    fail("P2CORE_INVALID_CSR", "an actor may not request keyCertSign or cRLSign [core §6.1.1.2]");
  }

  const publicKey = await publicKeyOf(info.subjectPKInfo, "P2CORE_INVALID_CSR");
  const infoDer = new Uint8Array(csr.certificationRequestInfoRaw);
  const signature = new Uint8Array(csr.signature);
  if (!(await publicKey.verify(infoDer, signature))) {
    fail(
      "P2CORE_INVALID_CSR",
      `the CSR of ${subject.fid} (${subject.sessionId}): self-signature does not verify`,
    );
  }
  const received = Uint8Array.from(der);
  return {
    der: received,
    get pem() {
      return toPem(received, "CERTIFICATE REQUEST");
    },
    infoDer,
    signature,
    subject,
    fid: subject.fid,
    sessionId: subject.sessionId,
    publicKey,
    capabilities,
  };
}

function csrFromPem(pem: string): Uint8Array {
  // Some tools still write the pre-RFC 7468 label.
  return /-----BEGIN NEW CERTIFICATE REQUEST-----/.test(pem)
    ? fromPem(pem, "NEW CERTIFICATE REQUEST")
    : fromPem(pem, "CERTIFICATE REQUEST");
}

/** Reads KeyUsage/BasicConstraints from an extensionRequest or from direct attributes (polyproto-rs). */
function readCapabilities(attributes: readonly Attribute[]): RequestedCapabilities {
  let keyUsage: KeyUsageName[] | undefined;
  let keyUsageCritical: boolean | undefined;
  let basicConstraints: BasicConstraintsValue | undefined;
  const forms = new Set<"extensionRequest" | "attributes">();
  const seen = new Set<string>();
  const once = (oid: string) => {
    if (seen.has(oid)) fail("P2CORE_INVALID_CSR", `capability ${oid} requested twice`);
    seen.add(oid);
  };
  const onlyValue = (attribute: Attribute): Uint8Array => {
    if (attribute.values.length !== 1)
      fail("P2CORE_INVALID_CSR", `attribute ${attribute.type} needs one value`);
    return new Uint8Array(attribute.values[0]!);
  };

  for (const attribute of attributes) {
    switch (attribute.type) {
      case EXTENSION_REQUEST_OID: {
        forms.add("extensionRequest");
        const extensions = parseDer(
          onlyValue(attribute),
          Extensions,
          "P2CORE_INVALID_CSR",
          "extensionRequest",
        );
        for (const extension of extensions) {
          once(extension.extnID);
          const value = new Uint8Array(extension.extnValue.buffer);
          if (extension.extnID === id_ce_keyUsage) {
            keyUsage = keyUsageFromDer(value, "P2CORE_INVALID_CSR");
            keyUsageCritical = extension.critical;
          } else if (extension.extnID === id_ce_basicConstraints) {
            basicConstraints = basicConstraintsFromDer(value, "P2CORE_INVALID_CSR");
          } else if (extension.critical) {
            fail("P2CORE_INVALID_CSR", `unknown critical extension requested: ${extension.extnID}`);
          }
        }
        break;
      }
      case id_ce_keyUsage:
        forms.add("attributes");
        once(attribute.type);
        keyUsage = keyUsageFromDer(onlyValue(attribute), "P2CORE_INVALID_CSR");
        keyUsageCritical = true;
        break;
      case id_ce_basicConstraints:
        forms.add("attributes");
        once(attribute.type);
        basicConstraints = basicConstraintsFromDer(onlyValue(attribute), "P2CORE_INVALID_CSR");
        break;
      default:
      // Other PKCS#9 attributes (challengePassword, …) carry nothing polyproto uses.
    }
  }
  if (forms.size > 1) fail("P2CORE_INVALID_CSR", "capabilities both in extensionRequest and as attributes");
  const form = forms.size === 0 ? "none" : [...forms][0]!;
  return {
    form,
    ...(keyUsage && { keyUsage, keyUsageCritical }),
    ...(basicConstraints && { basicConstraints }),
  };
}
