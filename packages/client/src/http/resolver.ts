/**
 * Where a domain's home server answers [core §3.1, PROFILE §2]: a static map for development and
 * tests (`{"b.test": "http://127.0.0.1:4102"}` — the only place plain HTTP is allowed), otherwise
 * `GET https://<domain>/.well-known/polyproto-core` → `{"api": "<https URL of the core API>"}`.
 *
 * The other APIs sit beside the core one (`…/.p2/auth/`, `…/.p2/chat/`, `…/.p2/mls/`) and the gateway
 * is `<core>v1/gateway` with the ws(s) scheme. That the root cert found there belongs to the domain
 * (issuer DCs = domain) is checked where roots are fetched (`verify/rootCerts.ts`).
 */
import { parseDomain } from "@p2chat/polyproto";
import { clientError, P2ClientError } from "../errors.js";
import type { HttpTransport } from "./transport.js";

export type ApiName = "core" | "auth" | "chat" | "mls";

export interface ServerEndpoints {
  readonly domain: string;
  /** Base URL of each API, ending in `/` (core: `https://example.chat/.p2/core/`). */
  readonly apis: Readonly<Record<ApiName, string>>;
  /** The gateway's WebSocket URL. */
  readonly gateway: string;
}

/** Well-known answers are reused this long. */
const WELL_KNOWN_TTL_MS = 60 * 60 * 1000;

export interface ServerResolverOptions {
  /** Domain → base URL (`http://127.0.0.1:4102`); plain HTTP is accepted only here. */
  readonly servers?: Readonly<Record<string, string>>;
  readonly transport: HttpTransport;
  readonly now?: () => number;
}

export class ServerResolver {
  private readonly known = new Map<string, { readonly endpoints: ServerEndpoints; readonly until: number }>();
  private readonly staticMap = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: ServerResolverOptions) {
    this.now = options.now ?? Date.now;
    for (const [domain, base] of Object.entries(options.servers ?? {})) {
      let url: URL;
      try {
        url = new URL(base);
      } catch (error) {
        throw clientError(
          "P2CLIENT_UNKNOWN_SERVER",
          `servers["${domain}"] is not a URL: ${JSON.stringify(base)}`,
          { cause: error },
        );
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw clientError("P2CLIENT_UNKNOWN_SERVER", `servers["${domain}"] must be an http(s) URL`);
      }
      this.staticMap.set(parseDomain(domain), url.href.replace(/\/+$/, ""));
    }
  }

  async resolve(domainInput: string): Promise<ServerEndpoints> {
    let domain: string;
    try {
      domain = parseDomain(domainInput);
    } catch (error) {
      throw P2ClientError.from(error);
    }
    const base = this.staticMap.get(domain);
    if (base !== undefined) return endpointsFor(domain, `${base}/.p2/core/`);
    const known = this.known.get(domain);
    if (known && known.until > this.now()) return known.endpoints;
    const endpoints = endpointsFor(domain, await this.wellKnown(domain));
    this.known.set(domain, { endpoints, until: this.now() + WELL_KNOWN_TTL_MS });
    return endpoints;
  }

  private async wellKnown(domain: string): Promise<string> {
    if (/(^|\.)[0-9]+$/.test(domain)) {
      throw clientError("P2CLIENT_UNKNOWN_SERVER", `${domain} is an IP address, not a home server's domain`, {
        domain,
      });
    }
    const url = `https://${domain}/.well-known/polyproto-core`;
    const answer = await this.options.transport.send(domain, {
      url,
      method: "GET",
      headers: { accept: "application/json" },
    });
    const unknown = (why: string) =>
      clientError("P2CLIENT_UNKNOWN_SERVER", `${domain} is not a polyproto server: ${why} (${url})`, {
        domain,
      });
    if (answer.status !== 200) throw unknown(`answered ${answer.status}`);
    let api: unknown;
    try {
      api = (JSON.parse(answer.text) as { api?: unknown } | null)?.api;
    } catch {
      throw unknown("the answer is not JSON");
    }
    if (typeof api !== "string") throw unknown("the answer has no api URL");
    let parsed: URL;
    try {
      parsed = new URL(api);
    } catch {
      throw unknown(`api is not a URL: ${JSON.stringify(api)}`);
    }
    if (parsed.protocol !== "https:") throw unknown(`api is not an https URL: ${api}`);
    return parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
  }
}

function endpointsFor(domain: string, core: string): ServerEndpoints {
  const sibling = (name: ApiName) => new URL(`../${name}/`, core).href;
  const gateway = new URL("v1/gateway", core);
  gateway.protocol = gateway.protocol === "https:" ? "wss:" : "ws:";
  return {
    domain,
    apis: { core, auth: sibling("auth"), chat: sibling("chat"), mls: sibling("mls") },
    gateway: gateway.href,
  };
}
