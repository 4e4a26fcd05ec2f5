/** PEM armour (RFC 7468): base64 of DER between BEGIN/END lines, 64 characters a line. */
import { fromBase64, toBase64 } from "./bytes.js";
import { fail } from "./errors.js";

export function toPem(der: Uint8Array, label: string): string {
  const body = toBase64(der).replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Decodes the first PEM block with `label`; throws P2CORE_INVALID_PEM when absent or broken. */
export function fromPem(pem: string, label: string): Uint8Array {
  if (typeof pem !== "string") fail("P2CORE_INVALID_PEM", "PEM text expected");
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*)-----END ${label}-----`);
  const match = re.exec(pem);
  const der = match ? fromBase64(match[1]!) : undefined;
  if (!der || der.length === 0) fail("P2CORE_INVALID_PEM", `not a PEM ${label}`);
  return der;
}
