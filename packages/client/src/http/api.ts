/**
 * One request to one server's API, as the typed API modules (`api/*.ts`) describe it, and its
 * execution: resolve the domain, build the URL, send, and turn any non-2xx answer into the server's
 * PROFILE §4 error. Authentication (which token, re-authenticating after a 401) is added on top by
 * the session layer (`session/authenticatedApi.ts`).
 */
import { P2ClientError } from "../errors.js";
import type { ApiName, ServerResolver } from "./resolver.js";
import { errorFromAnswer, type HttpTransport } from "./transport.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface ApiRequest {
  /** Which API the path is relative to; `core` by default. */
  readonly api?: ApiName;
  readonly method: HttpMethod;
  /** Relative to the API's base URL, e.g. `v1/idcert/actor/alice%40a.test` (encode path parameters). */
  readonly path: string;
  /** Query parameters; arrays are joined with commas (the OpenAPI form the server accepts). */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A JSON body. */
  readonly json?: unknown;
  /** A text/plain body (PEMs). */
  readonly text?: string;
  /** The `X-P2-Sensitive-Solution` of sensitive actions [core §4.1.2]: the account password. */
  readonly sensitive?: string;
  /** Whether the route needs the caller's bearer token on that server; true by default. */
  readonly auth?: boolean;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** What the typed API modules call: one request to `domain`, resolved with a 2xx answer or thrown. */
export interface ApiCaller {
  call(domain: string, request: ApiRequest): Promise<ApiAnswer>;
}

/** Parses a JSON answer; a body that is not JSON is `P2CLIENT_INVALID_RESPONSE`. */
export function jsonOf<T>(answer: ApiAnswer, domain: string, what: string): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch (error) {
    throw new P2ClientError(
      0,
      "P2CLIENT_INVALID_RESPONSE",
      `${domain} answered ${what} with something that is not JSON`,
      {
        cause: error,
        domain,
      },
    );
  }
}

/** Executes requests without any token handling: for public routes, or with a token given. */
export class ServerApi implements ApiCaller {
  constructor(
    readonly resolver: ServerResolver,
    readonly transport: HttpTransport,
  ) {}

  /** Sends without a token (public routes). */
  call(domain: string, request: ApiRequest): Promise<ApiAnswer> {
    return this.send(domain, request);
  }

  async send(domain: string, request: ApiRequest, token?: string): Promise<ApiAnswer> {
    const endpoints = await this.resolver.resolve(domain);
    const url = new URL(request.path, endpoints.apis[request.api ?? "core"]);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(name, Array.isArray(value) ? value.join(",") : String(value));
    }
    const headers: Record<string, string> = { accept: "application/json" };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.json);
    } else if (request.text !== undefined) {
      headers["content-type"] = "text/plain";
      body = request.text;
    }
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (request.sensitive !== undefined) headers["x-p2-sensitive-solution"] = request.sensitive;
    const what = `${request.method} ${url.pathname}`;
    const answer = await this.transport.send(endpoints.domain, {
      url: url.href,
      method: request.method,
      headers,
      body,
    });
    if (answer.status < 200 || answer.status > 299) throw errorFromAnswer(endpoints.domain, answer, what);
    return answer;
  }
}
