/**
 * OpenAPI `Models.EncryptedPKM.serialNumber` is a JSON integer (uint64), but serials reach 2^63
 * (PROFILE §1) and `JSON.parse` rounds integers past 2^53 — a client's serial would silently become
 * another one. This JSON parser, registered inside the key-material plugin only, turns the number token
 * of every `"serialNumber"` member into a string before parsing, so the service sees the exact digits.
 * Everything else is Fastify's own JSON parsing (size limit, prototype-poisoning checks, error codes).
 *
 * Inside a JSON string a quote is always escaped, so `"serialNumber"` followed by `:` only matches a
 * member name; a non-integer token (`1e3`, `-5`, `1.0`) is quoted too and fails the schema's pattern.
 */
import type { FeatureApp } from "../context.js";

const SERIAL_NUMBER_MEMBER = /("serialNumber"\s*:\s*)(-?[0-9][0-9eE+.-]*)/g;

export function quoteSerialNumbers(json: string): string {
  return json.replace(SERIAL_NUMBER_MEMBER, '$1"$2"');
}

export function useExactSerialJson(app: FeatureApp): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) =>
    parse(request, quoteSerialNumbers(body as string), done),
  );
}
