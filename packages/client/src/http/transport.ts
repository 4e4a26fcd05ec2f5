/**
 * HTTP through the platform's `fetch` (Node 20 and browsers): a timeout per request, bodies read as
 * text up to a limit, and every failure before an answer turned into a `P2ClientError` —
 * `P2CLIENT_TIMEOUT`, `P2CLIENT_NETWORK`, or `P2CLIENT_UNKNOWN_SERVER` when the host name does not
 * resolve. Statuses are not judged here (see `errorFromAnswer`).
 */
import { clientError, P2ClientError } from "../errors.js";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Largest answer body read (a certificate list or a page of history is far smaller). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpTransportOptions {
  /** The fetch to use; the platform's by default (tests count or fake requests with their own). */
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
}

export interface HttpRequest {
  readonly url: string;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export class HttpTransport {
  private readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(options: HttpTransportOptions = {}) {
    // Bound, so a browser's window.fetch is not called with another `this`.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Sends the request; resolves with any status, rejects only when there is no (readable) answer. */
  async send(domain: string, request: HttpRequest): Promise<HttpAnswer> {
    let response: Response;
    try {
      response = await this.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        // A server answers where it said it would; a redirect could lead anywhere.
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.failure(domain, request.url, error);
    }
    let text: string;
    try {
      text = await this.readBody(domain, response);
    } catch (error) {
      throw this.failure(domain, request.url, error);
    }
    return { status: response.status, headers: response.headers, text };
  }

  private async readBody(domain: string, response: Response): Promise<string> {
    if (!response.body) return "";
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > this.maxBodyBytes) {
      await response.body.cancel();
      throw clientError(
        "P2CLIENT_INVALID_RESPONSE",
        `${domain} answered with ${declared} bytes, more than ${this.maxBodyBytes}`,
        { domain },
      );
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let size = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.maxBodyBytes) {
        await reader.cancel();
        throw clientError(
          "P2CLIENT_INVALID_RESPONSE",
          `${domain} answered with more than ${this.maxBodyBytes} bytes`,
          { domain },
        );
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }

  private failure(domain: string, url: string, error: unknown): P2ClientError {
    if (error instanceof P2ClientError) return error;
    const name = (error as { name?: string } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return clientError(
        "P2CLIENT_TIMEOUT",
        `${domain} did not answer within ${this.timeoutMs} ms (${url})`,
        { cause: error, domain },
      );
    }
    // undici puts the system error in `cause` (ECONNREFUSED, ENOTFOUND, …); browsers say nothing.
    const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") {
      return clientError("P2CLIENT_UNKNOWN_SERVER", `${domain}: host not found (${url})`, {
        cause: error,
        domain,
      });
    }
    return clientError("P2CLIENT_NETWORK", `${domain} cannot be reached (${detail}) at ${url}`, {
      cause: error,
      domain,
    });
  }
}

/** The PROFILE §4 error of a non-2xx answer: its body's `error`/`message` when it has them. */
export function errorFromAnswer(domain: string, answer: HttpAnswer, what: string): P2ClientError {
  let code = `P2CORE_HTTP_${answer.status}`;
  let message = `${domain} answered ${answer.status} for ${what}`;
  try {
    const body = JSON.parse(answer.text) as { error?: unknown; message?: unknown };
    if (typeof body.error === "string" && /^P2[A-Z0-9]*_[A-Z0-9_]+$/.test(body.error)) code = body.error;
    if (typeof body.message === "string" && body.message.length > 0)
      message = `${body.message} (${domain}, ${what})`;
  } catch {
    // not a PROFILE §4 body: the status says enough
  }
  return new P2ClientError(answer.status, code, message, { domain });
}
