/** Real home servers on loopback for the SDK's tests (packages/server's startTestServer). */
import { startTestServer, type TestServer, type TestServerOptions } from "@p2chat/server";

export const PASSWORD = "correct horse battery";

export interface TwoServers {
  readonly a: TestServer;
  readonly b: TestServer;
  /** The SDK's static resolver map for both. */
  readonly servers: Record<string, string>;
}

/** a.test and b.test; b.test resolves a.test through P2_PEERS (as in the server's foreign.test.ts). */
export async function startTwoServers(options: Pick<TestServerOptions, "gateway"> = {}): Promise<TwoServers> {
  const a = await startTestServer({
    env: { P2_DOMAIN: "a.test", P2_RATE_LIMITS: "off" },
    gateway: options.gateway,
  });
  const b = await startTestServer({
    env: { P2_DOMAIN: "b.test", P2_RATE_LIMITS: "off", P2_PEERS: JSON.stringify({ "a.test": a.url }) },
    gateway: options.gateway,
  });
  return { a, b, servers: { "a.test": a.url, "b.test": b.url } };
}

/** A fetch that records `METHOD path?query` of every request, to see what the SDK asked. */
export function recordingFetch(): {
  fetch: typeof fetch;
  requests: string[];
  count(pattern: RegExp): number;
} {
  const requests: string[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    requests.push(`${init?.method ?? "GET"} ${url.host} ${decodeURIComponent(url.pathname + url.search)}`);
    return fetch(input, init);
  };
  return { fetch: recording, requests, count: (pattern) => requests.filter((r) => pattern.test(r)).length };
}
