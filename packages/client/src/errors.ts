/**
 * The SDK's one error type. Errors a server answers keep its PROFILE §4 body: `status` is the HTTP
 * status, `code` the machine code (`P2CORE_…`, `P2CHAT_…`, `P2MLS_…`), `message` for humans. Failures
 * that happen before any answer have `status` 0 and a `P2CLIENT_…` code:
 *
 * - `P2CLIENT_UNKNOWN_SERVER`: a domain that is not in the static map and does not resolve through
 *   `https://<domain>/.well-known/polyproto-core` (no answer there, or not a polyproto server);
 * - `P2CLIENT_NETWORK`: the server could not be reached (refused, reset, DNS, TLS);
 * - `P2CLIENT_TIMEOUT`: no answer in time;
 * - `P2CLIENT_INVALID_RESPONSE`: an answer that is not what the protocol says (wrong shape, not JSON,
 *   a certificate that does not check out);
 * - `P2CLIENT_NO_SESSION`: no stored session to resume;
 * - `P2CLIENT_CLOSED`: the client or gateway was closed while the call waited;
 * - `P2CLIENT_SERVICE_CHANNEL_REFUSED`: the gateway refused a service channel subscription;
 * - `P2CLIENT_UNSUPPORTED_PLATFORM`: a Node-only part used in a browser (or the reverse).
 *
 * Errors of the protocol package (`PolyprotoError`: a bad FID, an invalid cert) become this type too,
 * with their `P2CORE_…` code and status 0.
 */
import { PolyprotoError } from "@p2chat/polyproto";

export type ClientErrorCode =
  | "P2CLIENT_UNKNOWN_SERVER"
  | "P2CLIENT_NETWORK"
  | "P2CLIENT_TIMEOUT"
  | "P2CLIENT_INVALID_RESPONSE"
  | "P2CLIENT_NO_SESSION"
  | "P2CLIENT_CLOSED"
  | "P2CLIENT_SERVICE_CHANNEL_REFUSED"
  | "P2CLIENT_UNSUPPORTED_PLATFORM";

export class P2ClientError extends Error {
  /** The server the request went to, when there was one. */
  readonly domain: string | undefined;

  constructor(
    /** The HTTP status of the server's answer; 0 when there was none. */
    readonly status: number,
    /** `P2CORE_…`/`P2CHAT_…`/`P2MLS_…` from the server or the protocol package, or `P2CLIENT_…`. */
    readonly code: string,
    message: string,
    options?: ErrorOptions & {
      /** The server the request went to, when there was one. */
      readonly domain?: string;
    },
  ) {
    super(message, options);
    this.name = "P2ClientError";
    this.domain = options?.domain;
  }

  /** Wraps anything thrown into a `P2ClientError` (already one: returned unchanged). */
  static from(error: unknown, domain?: string): P2ClientError {
    if (error instanceof P2ClientError) return error;
    if (error instanceof PolyprotoError)
      return new P2ClientError(0, error.code, error.message, { cause: error, domain });
    const message = error instanceof Error ? error.message : String(error);
    return new P2ClientError(0, "P2CLIENT_INVALID_RESPONSE", message, { cause: error, domain });
  }
}

/** Shorthand for a client-side failure (status 0). */
export function clientError(
  code: ClientErrorCode,
  message: string,
  options?: { cause?: unknown; domain?: string },
): P2ClientError {
  return new P2ClientError(0, code, message, options);
}
