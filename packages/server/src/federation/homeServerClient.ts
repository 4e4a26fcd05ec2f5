/**
 * HTTP to other home servers [core §3.1, PROFILE §2]: resolves a domain to its core API base URL and
 * GETs JSON from it, with a short timeout and a cap on the body. Every failure becomes a `P2Error`:
 * `502 P2CORE_HOME_SERVER_UNREACHABLE` when the server cannot be reached, times out or answers 5xx;
 * `502 P2CORE_HOME_SERVER_INVALID` when it answers something that is not what the protocol says.
 */
import { P2Error } from "../http/errors.js";

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How long a well-known answer is reused (the lookup is repeated at most once per root-cache window). */
const API_TTL_MS = 60 * 60 * 1000;

export interface HomeServerClientOptions {
  /** Static resolver, domain → base URL (`http://127.0.0.1:4102`): the only place plain HTTP is allowed. */
  readonly peers: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
  /** The fetch to use (tests count or fake requests); the global one by default. */
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** A JSON answer of a home server: its status (2xx, or 404 when asked for it) and parsed body. */
export interface HomeServerAnswer {
  readonly status: number;
  readonly body: unknown;
}

export function unreachable(domain: string, why: string, cause?: unknown): P2Error {
  return new P2Error(502, "P2CORE_HOME_SERVER_UNREACHABLE", `home server ${domain} ${why}`, { cause });
}

export function invalidAnswer(domain: string, why: string, cause?: unknown): P2Error {
  return new P2Error(502, "P2CORE_HOME_SERVER_INVALID", `home server ${domain} ${why}`, { cause });
}

/** IPv4 literals pass the FID domain grammar but name no home server; never resolve them over HTTPS. */
function isIpLiteral(domain: string): boolean {
  return /(^|\.)[0-9]+$/.test(domain);
}

export class HomeServerClient {
  private readonly apis = new Map<string, { readonly api: string; readonly until: number }>();
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: HomeServerClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  /**
   * The core API base URL of `domain`'s home server, ending in `/`: from the static peers map
   * (`<base>/.p2/core/`), else `https://<domain>/.well-known/polyproto-core` → `{api}` (HTTPS only).
   */
  async coreApi(domain: string): Promise<string> {
    const peer = this.options.peers[domain];
    if (peer !== undefined) return `${peer.replace(/\/+$/, "")}/.p2/core/`;
    const known = this.apis.get(domain);
    if (known && known.until > this.now()) return known.api;
    if (isIpLiteral(domain)) throw unreachable(domain, "is an IP address, not a resolvable domain");
    const { body } = await this.getUrl(domain, `https://${domain}/.well-known/polyproto-core`);
    const api = (body as { api?: unknown } | null)?.api;
    if (typeof api !== "string")
      throw invalidAnswer(domain, "answered /.well-known/polyproto-core without an api URL");
    let url: URL;
    try {
      url = new URL(api);
    } catch (error) {
      throw invalidAnswer(domain, `announced an api that is not a URL: ${JSON.stringify(api)}`, error);
    }
    if (url.protocol !== "https:") throw invalidAnswer(domain, `announced a non-HTTPS api: ${api}`);
    const base = url.href.endsWith("/") ? url.href : `${url.href}/`;
    this.apis.set(domain, { api: base, until: this.now() + API_TTL_MS });
    return base;
  }

  /**
   * GETs `path` (relative to the core API, e.g. `v1/idcert/server`) with `query`. A 404 is returned
   * (status 404) only when `allow404`; other non-2xx statuses throw.
   */
  async getCore(
    domain: string,
    path: string,
    query: Record<string, string | undefined> = {},
    allow404 = false,
  ): Promise<HomeServerAnswer> {
    const url = new URL(path, await this.coreApi(domain));
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    return this.getUrl(domain, url.href, allow404);
  }

  private async getUrl(domain: string, url: string, allow404 = false): Promise<HomeServerAnswer> {
    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: { accept: "application/json" },
        // A redirect could lead from HTTPS to anywhere; a home server answers where it said it would.
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.fetchFailure(domain, error);
    }
    const { status } = response;
    if (status >= 500) {
      await response.body?.cancel();
      throw unreachable(domain, `answered ${status} for ${url}`);
    }
    if (status === 404 && allow404) {
      await response.body?.cancel();
      return { status, body: undefined };
    }
    if (status < 200 || status > 299) {
      await response.body?.cancel();
      throw invalidAnswer(domain, `answered ${status} for ${url}`);
    }
    const text = await this.readBody(domain, response);
    try {
      return { status, body: JSON.parse(text) };
    } catch (error) {
      throw invalidAnswer(domain, `answered ${url} with something that is not JSON`, error);
    }
  }

  /** The body as UTF-8, refused beyond `maxBodyBytes` (a peer cannot make us buffer without limit). */
  private async readBody(domain: string, response: Response): Promise<string> {
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > this.maxBodyBytes) {
      await response.body?.cancel();
      throw invalidAnswer(domain, `answered with ${declared} bytes, more than ${this.maxBodyBytes}`);
    }
    if (!response.body) return "";
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.maxBodyBytes) {
          await reader.cancel();
          throw invalidAnswer(domain, `answered with more than ${this.maxBodyBytes} bytes`);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof P2Error) throw error;
      throw this.fetchFailure(domain, error);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  private fetchFailure(domain: string, error: unknown): P2Error {
    const name = (error as { name?: string } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return unreachable(domain, `did not answer within ${this.timeoutMs} ms`, error);
    }
    const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return unreachable(domain, `cannot be reached (${detail})`, error);
  }
}
