/**
 * Federation IDs `local@domain` [core §5, PROFILE §1]. Case-insensitive: lowercased on input, stored
 * and compared lowercased. Stricter than polyproto-rs, whose unanchored regex accepts `a@b@c.com`.
 */
import { fail } from "./errors.js";

export interface FederationId {
  /** The whole ID, lowercased: `alice@example.chat`. */
  readonly fid: string;
  readonly localName: string;
  readonly domain: string;
}

const LOCAL_NAME = /^[a-z0-9._%+-]{1,64}$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True when `domain` (already lowercase) is a valid home-server domain name. */
export function isValidDomain(domain: string): boolean {
  return (
    typeof domain === "string" &&
    domain.length > 0 &&
    domain.length <= 253 &&
    domain.split(".").every((label) => DOMAIN_LABEL.test(label))
  );
}

/** True when `localName` (already lowercase) is a valid local part. */
export function isValidLocalName(localName: string): boolean {
  return typeof localName === "string" && LOCAL_NAME.test(localName);
}

/** Parses and normalises a FID; returns undefined when it is not one. */
export function tryParseFederationId(input: unknown): FederationId | undefined {
  if (typeof input !== "string") return undefined;
  const fid = input.toLowerCase();
  const at = fid.indexOf("@");
  if (at < 0 || fid.indexOf("@", at + 1) >= 0) return undefined;
  const localName = fid.slice(0, at);
  const domain = fid.slice(at + 1);
  if (!isValidLocalName(localName) || !isValidDomain(domain)) return undefined;
  return { fid, localName, domain };
}

/** Parses and normalises a FID; throws `P2CORE_INVALID_FEDERATION_ID` when it is not one. */
export function parseFederationId(input: unknown): FederationId {
  const parsed = tryParseFederationId(input);
  if (!parsed) fail("P2CORE_INVALID_FEDERATION_ID", `not a federation ID: ${JSON.stringify(input)}`);
  return parsed;
}

/** Normalises a domain name (lowercase) and validates it; throws `P2CORE_INVALID_DOMAIN`. */
export function parseDomain(input: unknown): string {
  const domain = typeof input === "string" ? input.toLowerCase() : "";
  if (!isValidDomain(domain)) fail("P2CORE_INVALID_DOMAIN", `not a domain name: ${JSON.stringify(input)}`);
  return domain;
}
