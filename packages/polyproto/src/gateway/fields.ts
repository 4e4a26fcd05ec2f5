/** Readers for the JSON values inside gateway frames (internal to gateway/). */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Largest sequence number we issue or accept: 2^53 − 1 (see heartbeat.ts for why not 2^64 − 1). */
export const MAX_SEQUENCE_NUMBER = Number.MAX_SAFE_INTEGER;

/** A canonical decimal: no sign, no leading zeros, no whitespace, no exponent (what polyproto-rs emits). */
export const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * A non-negative integer ≤ `max` given as a JSON number or as a canonical decimal string (polyproto-rs
 * writes `op`, `s` and several timestamps as strings). Undefined for anything else: negative, fractional,
 * non-finite, beyond `max`, or a string with a sign, leading zero, exponent or whitespace.
 */
export function uintFrom(value: unknown, max: number): number | undefined {
  let n: number;
  if (typeof value === "number") {
    n = value;
  } else if (typeof value === "string") {
    if (value.length > 16 || !DECIMAL.test(value)) return undefined;
    n = Number(value);
  } else {
    return undefined;
  }
  if (!Number.isSafeInteger(n) || n < 0 || n > max) return undefined;
  return n === 0 ? 0 : n; // -0 → 0
}

/** True for an integer in [0, MAX_SEQUENCE_NUMBER]. */
export function isSequenceNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Present in the object and not JSON null (polyproto-rs writes `null` for absent options). */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}
