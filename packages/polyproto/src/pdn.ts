/**
 * polyproto Distinguished Names (pDN) [core §6.1.1.1, PROFILE §1].
 *
 * An actor's pDN, in DER order from the top-level domain down:
 *   DC=chat, DC=example, CN=alice, UID=alice@example.chat, uniqueIdentifier=<session id>
 * (RFC 4514 string: `uniqueIdentifier=s1,UID=alice@example.chat,CN=alice,DC=example,DC=chat`).
 * A home server's pDN has only the DC components. We emit DC as IA5String and CN, UID and
 * uniqueIdentifier as UTF8String; we read UTF8String, PrintableString or IA5String for any of them.
 *
 * Both forms — the ASN.1 `Name` of `@peculiar/asn1-x509` and the RFC 4514 string — are read into
 * one list of attributes in DER order and checked by one set of rules, so a name means the same
 * thing whichever way it arrived.
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";
import { fromHex, fromUtf8, utf8 } from "./bytes.js";
import { fail } from "./errors.js";
import { isValidDomain, parseDomain, tryParseFederationId } from "./federationId.js";
import { isValidSessionId } from "./sessionId.js";

/** domainComponent (RFC 4519). */
export const DOMAIN_COMPONENT_OID = "0.9.2342.19200300.100.1.25";
/** userId, `UID` (RFC 4519): the actor's federation ID. */
export const USER_ID_OID = "0.9.2342.19200300.100.1.1";
/** uniqueIdentifier (RFC 4524): the session ID. OpenSSL prints it as lowercase `uid`. */
export const UNIQUE_IDENTIFIER_OID = "0.9.2342.19200300.100.1.44";
/** commonName, `CN`: the actor's local name. */
export const COMMON_NAME_OID = "2.5.4.3";

/** The pDN of an actor's session: FID, its parts, and the session ID. All but the session ID are lowercase. */
export interface ActorPdn {
  readonly kind: "actor";
  readonly fid: string;
  readonly localName: string;
  readonly domain: string;
  readonly sessionId: string;
}

/** The pDN of a home server: its domain only. */
export interface HomeServerPdn {
  readonly kind: "homeServer";
  readonly domain: string;
}

export type Pdn = ActorPdn | HomeServerPdn;

/** What a name must describe; without a target, a name with CN/UID/uniqueIdentifier is an actor's. */
export type PdnTarget = Pdn["kind"];

/** One attribute of a name, in DER order. `value` undefined: a string type we do not read. */
interface NameAttribute {
  readonly type: string;
  readonly value: string | undefined;
}

function invalid(message: string): never {
  return fail("P2CORE_INVALID_NAME", message);
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

/** The pDN of a session of `fid` (normalised to lowercase); throws on a bad FID or session ID. */
export function actorPdn(fid: string, sessionId: string): ActorPdn {
  const parsed = tryParseFederationId(fid);
  if (!parsed) invalid(`not a federation ID: ${JSON.stringify(fid)}`);
  if (!isValidSessionId(sessionId)) {
    invalid(`not a session ID (1–32 printable ASCII characters): ${JSON.stringify(sessionId)}`);
  }
  return { kind: "actor", ...parsed, sessionId };
}

/** The pDN of the home server at `domain` (normalised to lowercase). */
export function homeServerPdn(domain: string): HomeServerPdn {
  return { kind: "homeServer", domain: parseDomain(domain) };
}

/** Equal names: same kind, domain, FID and session ID. */
export function pdnEquals(a: Pdn, b: Pdn): boolean {
  if (a.kind === "homeServer" || b.kind === "homeServer") return a.kind === b.kind && a.domain === b.domain;
  return a.fid === b.fid && a.sessionId === b.sessionId;
}

/** The DC values in DER order, top-level domain first: `example.chat` → `["chat", "example"]`. */
export function domainComponents(domain: string): string[] {
  return domain.split(".").reverse();
}

// ---------------------------------------------------------------------------------------------
// ASN.1 Name
// ---------------------------------------------------------------------------------------------

/** The X.509 Name of a pDN, in the canonical order and string types of PROFILE §1. */
export function pdnToName(pdn: Pdn): Name {
  const rdn = (type: string, value: AttributeValue) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
  const rdns = domainComponents(pdn.domain).map((dc) =>
    rdn(DOMAIN_COMPONENT_OID, new AttributeValue({ ia5String: dc })),
  );
  if (pdn.kind === "actor") {
    rdns.push(
      rdn(COMMON_NAME_OID, new AttributeValue({ utf8String: pdn.localName })),
      rdn(USER_ID_OID, new AttributeValue({ utf8String: pdn.fid })),
      rdn(UNIQUE_IDENTIFIER_OID, new AttributeValue({ utf8String: pdn.sessionId })),
    );
  }
  return new Name(rdns);
}

/** DER of the X.509 Name of a pDN. */
export function pdnToDer(pdn: Pdn): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(pdnToName(pdn)));
}

/**
 * Reads and checks a pDN from an X.509 Name (core §6.1.1.1). Throws `P2CORE_INVALID_NAME` naming the
 * broken rule. Attribute positions are not fixed (polyproto-rs accepts any order), but DC values are
 * read in DER order, top-level domain first.
 */
export function pdnFromName(name: Name, target: "actor"): ActorPdn;
export function pdnFromName(name: Name, target: "homeServer"): HomeServerPdn;
export function pdnFromName(name: Name, target?: PdnTarget): Pdn;
export function pdnFromName(name: Name, target?: PdnTarget): Pdn {
  const attributes: NameAttribute[] = [];
  for (const rdn of name) {
    // Decision: one attribute per RDN. In a multi-valued RDN (a DER SET) the order of DCs is lost.
    if (rdn.length !== 1) invalid("a pDN has exactly one attribute per RDN (no multi-valued RDNs)");
    const attribute = rdn[0]!;
    attributes.push({ type: attribute.type, value: readString(attribute.value) });
  }
  return pdnFromAttributes(attributes, target);
}

/** Reads a pDN from the DER of an X.509 Name. */
export function pdnFromDer(der: Uint8Array, target: "actor"): ActorPdn;
export function pdnFromDer(der: Uint8Array, target: "homeServer"): HomeServerPdn;
export function pdnFromDer(der: Uint8Array, target?: PdnTarget): Pdn;
export function pdnFromDer(der: Uint8Array, target?: PdnTarget): Pdn {
  let name: Name;
  try {
    name = AsnConvert.parse(der, Name);
  } catch {
    invalid("not a DER X.509 Name");
  }
  return pdnFromName(name, target);
}

/** The string types a pDN value may use; anything else (BMPString, TeletexString, …) is not read. */
function readString(value: AttributeValue): string | undefined {
  return value.utf8String ?? value.ia5String ?? value.printableString;
}

// ---------------------------------------------------------------------------------------------
// RFC 4514 strings
// ---------------------------------------------------------------------------------------------

const SHORT_NAMES: Record<string, string> = {
  [DOMAIN_COMPONENT_OID]: "DC",
  [COMMON_NAME_OID]: "CN",
  [USER_ID_OID]: "UID",
  [UNIQUE_IDENTIFIER_OID]: "uniqueIdentifier",
};

/** Attribute type names we read, lowercased (RFC 4514 §3: case-insensitive). */
const TYPE_BY_NAME: Record<string, string> = {
  dc: DOMAIN_COMPONENT_OID,
  domaincomponent: DOMAIN_COMPONENT_OID,
  cn: COMMON_NAME_OID,
  commonname: COMMON_NAME_OID,
  uid: USER_ID_OID,
  userid: USER_ID_OID,
  uniqueidentifier: UNIQUE_IDENTIFIER_OID,
};

/** The RFC 4514 string of a pDN: RDNs in reverse DER order, `uniqueIdentifier=…,UID=…,CN=…,DC=…`. */
export function pdnToString(pdn: Pdn): string {
  const parts: string[] = [];
  if (pdn.kind === "actor") {
    parts.push(
      `uniqueIdentifier=${escapeValue(pdn.sessionId)}`,
      `UID=${escapeValue(pdn.fid)}`,
      `CN=${escapeValue(pdn.localName)}`,
    );
  }
  for (const dc of pdn.domain.split(".")) parts.push(`DC=${escapeValue(dc)}`);
  return parts.join(",");
}

/**
 * Reads and checks a pDN from its RFC 4514 string (most specific RDN first). Accepts the type names
 * DC/domainComponent, CN/commonName, UID/userId, uniqueIdentifier (any case) and dotted OIDs, escaped
 * values (`\,` and `\2C`) and `#`-hex BER values; tolerates spaces after separators.
 */
export function pdnFromString(text: string, target: "actor"): ActorPdn;
export function pdnFromString(text: string, target: "homeServer"): HomeServerPdn;
export function pdnFromString(text: string, target?: PdnTarget): Pdn;
export function pdnFromString(text: string, target?: PdnTarget): Pdn {
  if (typeof text !== "string") invalid("a distinguished name string expected");
  return pdnFromAttributes(parseRfc4514(text).reverse(), target);
}

/** RFC 4514 §2.4: escape the specials, a leading `#` or space, a trailing space, and NUL. */
function escapeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (
      '"+,;<>\\'.includes(c) ||
      (i === 0 && (c === "#" || c === " ")) ||
      (i === value.length - 1 && c === " ")
    ) {
      out += `\\${c}`;
    } else if (c === "\0") {
      out += "\\00";
    } else {
      out += c;
    }
  }
  return out;
}

/** Splits an RFC 4514 string into attributes, in string order (reverse DER order). */
function parseRfc4514(text: string): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  if (text.trim() === "") return attributes;
  let i = 0;
  const skipSpaces = () => {
    while (text[i] === " ") i++;
  };
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < text.length && text[i] !== "=" && text[i] !== "," && text[i] !== "+") i++;
    if (text[i] !== "=") invalid(`RFC 4514: attribute without "=" at ${typeStart}`);
    const type = attributeType(text.slice(typeStart, i).trim());
    i++; // "="
    skipSpaces();
    let value: string;
    if (text[i] === "#") {
      // RFC 4514 §2.4: `#` and the hex of the BER encoding of the value.
      const start = ++i;
      while (i < text.length && /[0-9a-fA-F]/.test(text[i]!)) i++;
      const ber = fromHex(text.slice(start, i));
      let decoded: string | undefined;
      try {
        decoded = ber && ber.length > 0 ? readString(AsnConvert.parse(ber, AttributeValue)) : undefined;
      } catch {
        decoded = undefined;
      }
      if (decoded === undefined) invalid(`RFC 4514: unreadable #hex value at ${start}`);
      value = decoded;
      skipSpaces();
    } else {
      const bytes: number[] = [];
      let trailingSpaces = 0;
      while (i < text.length && text[i] !== "," && text[i] !== "+") {
        const c = text[i]!;
        if (c === "\\") {
          const pair = text.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(pair)) {
            bytes.push(Number.parseInt(pair, 16));
            i += 3;
          } else if (i + 1 < text.length) {
            bytes.push(...utf8(text[i + 1]!));
            i += 2;
          } else {
            invalid("RFC 4514: a value ends in a lone backslash");
          }
          trailingSpaces = 0;
        } else {
          const code = text.codePointAt(i)!;
          const char = String.fromCodePoint(code);
          bytes.push(...utf8(char));
          trailingSpaces = c === " " ? trailingSpaces + 1 : 0;
          i += char.length;
        }
      }
      try {
        value = fromUtf8(Uint8Array.from(bytes.slice(0, bytes.length - trailingSpaces)));
      } catch {
        invalid("RFC 4514: a value is not UTF-8");
      }
    }
    attributes.push({ type, value });
    if (i >= text.length) return attributes;
    if (text[i] === "+") invalid("a pDN has exactly one attribute per RDN (no multi-valued RDNs)");
    i++; // ","
  }
}

function attributeType(name: string): string {
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  const oid = TYPE_BY_NAME[name.toLowerCase()];
  if (!oid) invalid(`RFC 4514: attribute type ${JSON.stringify(name)} is not one a pDN uses (give its OID)`);
  return oid;
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/**
 * core §6.1.1.1 and PROFILE §1, in DER order:
 * - at least one DC; each a domain label; together (read TLD last) a valid domain name;
 * - actor: exactly one CN, UID and uniqueIdentifier; UID is a FID whose domain is the DCs' and whose
 *   local part is CN; uniqueIdentifier is a session ID. Other attributes are allowed and ignored
 *   (core §6.1.1.1: "Can have other attributes");
 * - home server: only DCs (no CN — polyproto-rs accepts `CN=root,…`, the spec forbids it).
 */
function pdnFromAttributes(attributes: readonly NameAttribute[], target: PdnTarget | undefined): Pdn {
  const dcs: string[] = [];
  const single = new Map<string, string>();
  let others = 0;
  for (const { type, value } of attributes) {
    const label = SHORT_NAMES[type];
    if (!label) {
      others++;
      continue;
    }
    if (value === undefined) invalid(`${label} is not a UTF8String, PrintableString or IA5String`);
    if (type === DOMAIN_COMPONENT_OID) {
      dcs.push(value.toLowerCase());
      continue;
    }
    if (single.has(type)) invalid(`a pDN has at most one ${label}`);
    single.set(type, value);
  }

  if (dcs.length === 0) invalid("a pDN needs at least one domain component (DC)");
  for (const dc of dcs) {
    if (dc.includes(".") || !isValidDomain(dc)) invalid(`DC=${JSON.stringify(dc)} is not a domain label`);
  }
  const domain = dcs.slice().reverse().join(".");
  if (!isValidDomain(domain)) invalid(`the DCs do not form a valid domain name: ${domain}`);

  const cn = single.get(COMMON_NAME_OID);
  const uid = single.get(USER_ID_OID);
  const sessionId = single.get(UNIQUE_IDENTIFIER_OID);
  const isActor = target === undefined ? single.size > 0 : target === "actor";

  if (!isActor) {
    if (cn !== undefined) invalid("a home server's pDN must not have a common name (CN) [core §6.1.1.1]");
    if (single.size > 0) invalid("a home server's pDN must not have UID or uniqueIdentifier");
    if (others > 0) invalid("a home server's pDN has only domain components (PROFILE §1)");
    return { kind: "homeServer", domain };
  }

  if (cn === undefined) invalid("an actor's pDN needs a common name (CN)");
  if (uid === undefined) invalid("an actor's pDN needs a UID (the federation ID)");
  if (sessionId === undefined) invalid("an actor's pDN needs a uniqueIdentifier (the session ID)");
  const fid = tryParseFederationId(uid);
  if (!fid) invalid(`UID is not a federation ID: ${JSON.stringify(uid)}`);
  if (fid.domain !== domain) invalid(`UID domain ${fid.domain} does not equal the DCs (${domain})`);
  if (fid.localName !== cn.toLowerCase()) {
    invalid(`CN ${JSON.stringify(cn)} does not equal the UID's local name ${fid.localName}`);
  }
  if (!isValidSessionId(sessionId)) {
    invalid(
      `uniqueIdentifier is not a session ID (1–32 printable ASCII characters): ${JSON.stringify(sessionId)}`,
    );
  }
  return { kind: "actor", fid: fid.fid, localName: fid.localName, domain, sessionId };
}
