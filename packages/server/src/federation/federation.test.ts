import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import {
  CACHE_TTL_SECONDS,
  createCacheableIdCert,
  createIdCsr,
  createRootCert,
  issueIdCert,
  parseIdCert,
  SigningKey,
} from "@p2chat/polyproto";
import { P2Error } from "../http/errors.js";
import { openSqliteTestStorage, type TestStorage } from "../storage/testing.js";
import { startTestServer, type TestServer } from "../testing.js";
import { FederationService, type FederationServiceOptions } from "./service.js";

// a.test: a real home server with alice@a.test logged in. fake.test & co: a peer that answers whatever
// the test sets in `answer`.
let a: TestServer;
let aClosed = false;
let storage: TestStorage;
let fake: Server;
let fakeUrl: string;
let answer: (request: IncomingMessage, response: ServerResponse) => void = (_q, r) => r.end();
let alice: { serial: string; pem: string };

before(async () => {
  a = await startTestServer({ env: { P2_DOMAIN: "a.test" } });
  storage = await openSqliteTestStorage();
  fake = createServer((request, response) => answer(request, response));
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await fetch(
    `${a.url}/.p2/auth/v1/register`,
    json({ localName: "alice", password: "correct horse battery" }),
  );
  const csr = await createIdCsr({
    signingKey: await SigningKey.generate(),
    fid: "alice@a.test",
    sessionId: "laptop",
  });
  const login = await fetch(
    `${a.url}/.p2/auth/v1/login`,
    json({ localName: "alice", password: "correct horse battery", csr: csr.pem }),
  );
  const { idCertPem } = (await login.json()) as { idCertPem: string };
  alice = { serial: (await parseIdCert(idCertPem)).serial, pem: idCertPem };
});

after(async () => {
  if (!aClosed) await a.close();
  await storage.cleanup();
  await new Promise((resolve) => fake.close(resolve));
});

/** A federation client for b.test with a clock the test moves and a count of requests per path. */
function client(options: Partial<FederationServiceOptions> = {}) {
  const clock = { now: Date.now() };
  const requests: string[] = [];
  const federation = new FederationService({
    domain: "b.test",
    peers: { "a.test": a.url, "fake.test": fakeUrl, "evil.test": fakeUrl },
    foreignCerts: storage.storage.foreignCerts,
    now: () => clock.now,
    fetch: (input, init) => {
      requests.push(new URL(String(input)).pathname);
      return fetch(input, init);
    },
    ...options,
  });
  const count = (path: string) => requests.filter((p) => p.startsWith(path)).length;
  return { federation, clock, count };
}

async function rejectsWith(promise: Promise<unknown>, status: number, code: string, message?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof P2Error, `a P2Error, not ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** A root of `domain` and its CacheableIDCert, signed by `cacheKey` (its own key unless given). */
async function rootAnswer(domain: string, options: { cacheKey?: SigningKey; now?: Date } = {}) {
  const key = await SigningKey.generate();
  const root = await createRootCert({ signingKey: key, domain });
  const cacheable = await createCacheableIdCert({
    idCert: root,
    signingKey: options.cacheKey ?? key,
    now: options.now,
  });
  return { key, root, cacheable };
}

function sendJson(body: unknown, status = 200) {
  return (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

test("a home server's root is fetched, checked, and cached for its window", async () => {
  const { federation, count } = client();
  const root = await federation.homeRoot("a.test");
  const served = (await (await fetch(`${a.url}/.p2/core/v1/idcert/server`)).json()) as { idCertPem: string };
  assert.equal(root.serial, (await parseIdCert(served.idCertPem)).serial);
  assert.equal(root.domain, "a.test");
  await Promise.all([federation.homeRoot("a.test"), federation.homeRoot("a.test")]);
  assert.equal(count("/.p2/core/v1/idcert/server"), 1);
});

test("an actor's cert: cached while its window is usable, kept in storage; past it, stale answers are refused", async () => {
  const { federation, clock, count } = client();
  const found = await federation.actorCert("Alice@A.test", alice.serial, { sessionId: "laptop" });
  assert.ok(found);
  assert.equal(found.fid, "alice@a.test");
  assert.equal(found.invalidatedAt, undefined);
  assert.equal(found.idCert.pem, alice.pem);
  assert.equal(count("/.p2/core/v1/idcert/actor/"), 1);

  // Warm: no request.
  await federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop" });
  assert.equal(count("/.p2/core/v1/idcert/actor/"), 1);

  // A fresh client (a restarted server) finds it in storage; only the root is fetched again.
  const restarted = client();
  assert.ok(await restarted.federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop" }));
  assert.equal(restarted.count("/.p2/core/v1/idcert/actor/"), 0);
  assert.equal(restarted.count("/.p2/core/v1/idcert/server"), 1);

  // `fresh` asks the home server whatever the cache holds.
  await federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop", fresh: true });
  assert.equal(count("/.p2/core/v1/idcert/actor/"), 2);

  // After the window (6 h by default): root and cert are fetched again, never served stale. a.test's
  // own clock has not moved, so its new windows start "in the past" for us — and end before now:
  // the answer is refused rather than used.
  clock.now += (CACHE_TTL_SECONDS + 1) * 1000;
  await rejectsWith(
    federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop" }),
    502,
    "P2CORE_HOME_SERVER_INVALID",
    /root with a cache window that is not current/,
  );
  assert.equal(count("/.p2/core/v1/idcert/server"), 2);
});

test("after the window passes, root and cert are fetched again and the new window is used", async () => {
  const { federation, clock, count } = client();
  // A home server on the test's clock, so its windows move with it.
  const home = await rootAnswer("fake.test");
  const mallory = await issueIdCert({
    csr: await createIdCsr({
      signingKey: await SigningKey.generate(),
      fid: "mallory@fake.test",
      sessionId: "s1",
    }),
    issuerKey: home.key,
    rootCert: home.root,
  });
  const signed = (idCert: { serial: string; pem: string }) =>
    createCacheableIdCert({ idCert, signingKey: home.key, now: new Date(clock.now) });
  answer = async (request, response) => {
    const body = request.url?.startsWith("/.p2/core/v1/idcert/server")
      ? await signed(home.root)
      : [await signed(mallory)];
    sendJson(body)(request, response);
  };
  assert.ok(await federation.actorCert("mallory@fake.test", mallory.serial));
  clock.now += (CACHE_TTL_SECONDS - 60) * 1000;
  assert.ok(await federation.actorCert("mallory@fake.test", mallory.serial));
  assert.equal(count("/.p2/core/v1/idcert/actor/"), 1, "warm: no request");
  clock.now += 61 * 1000;
  const renewed = await federation.actorCert("mallory@fake.test", mallory.serial);
  assert.equal(count("/.p2/core/v1/idcert/server"), 2);
  assert.equal(count("/.p2/core/v1/idcert/actor/"), 2);
  assert.equal(renewed?.cacheable.cacheNotValidBefore, Math.floor(clock.now / 1000));
  assert.ok(await federation.actorCert("mallory@fake.test", mallory.serial));
  assert.equal(count("/.p2/core/v1/idcert/actor/"), 2, "the renewed entry is used");
});

test("unknown actors and serials are undefined, not errors", async () => {
  const { federation } = client();
  assert.equal(await federation.actorCert("nobody@a.test", "12345"), undefined);
  assert.equal(await federation.actorCert("alice@a.test", "12345", { sessionId: "laptop" }), undefined);
});

test("a peer that answers garbage, the wrong domain or a bad cache signature is refused (502 INVALID)", async () => {
  const { federation } = client();
  answer = sendJson("<html>hello</html>");
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_INVALID", /not JSON/);
  answer = sendJson({ hello: "world" });
  await rejectsWith(
    federation.homeRoot("fake.test"),
    502,
    "P2CORE_HOME_SERVER_INVALID",
    /without a CacheableIDCert/,
  );
  answer = sendJson({ idCertPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" });
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_INVALID", /not a valid root/);

  // evil.test serves fake.test's root: a valid root, of the wrong domain.
  answer = sendJson((await rootAnswer("fake.test")).cacheable);
  await rejectsWith(federation.homeRoot("evil.test"), 502, "P2CORE_HOME_SERVER_INVALID", /not of evil\.test/);

  answer = sendJson((await rootAnswer("fake.test", { cacheKey: await SigningKey.generate() })).cacheable);
  await rejectsWith(
    federation.homeRoot("fake.test"),
    502,
    "P2CORE_HOME_SERVER_INVALID",
    /bad cache signature/,
  );

  answer = sendJson(
    (await rootAnswer("fake.test", { now: new Date(Date.now() - 7 * 3600 * 1000) })).cacheable,
  );
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_INVALID", /not current/);

  answer = sendJson({ errcode: 400, error: "P2CORE_INVALID_REQUEST", message: "no" }, 400);
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_INVALID", /answered 400/);

  answer = (_request, response) => {
    response.writeHead(302, { location: "http://127.0.0.1:1/" });
    response.end();
  };
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_INVALID", /answered 302/);
});

test("a peer's actor list with a cert it did not sign, or of another actor, is refused", async () => {
  const { federation } = client();
  const home = await rootAnswer("fake.test");
  const sessionKey = await SigningKey.generate();
  const issue = async (fid: string) =>
    issueIdCert({
      csr: await createIdCsr({ signingKey: sessionKey, fid, sessionId: "s1" }),
      issuerKey: home.key,
      rootCert: home.root,
    });
  const mallory = await issue("mallory@fake.test");
  const signedByOther = await createCacheableIdCert({
    idCert: mallory,
    signingKey: await SigningKey.generate(),
  });
  const wellSigned = await createCacheableIdCert({ idCert: mallory, signingKey: home.key });
  let list: unknown = [signedByOther];
  answer = (request, response) =>
    sendJson(request.url?.startsWith("/.p2/core/v1/idcert/server") ? home.cacheable : list)(
      request,
      response,
    );
  await rejectsWith(
    federation.actorCert("mallory@fake.test", mallory.serial),
    502,
    "P2CORE_HOME_SERVER_INVALID",
    /does not verify/,
  );
  list = [wellSigned];
  await rejectsWith(
    federation.actorCert("eve@fake.test", mallory.serial),
    502,
    "P2CORE_HOME_SERVER_INVALID",
    /cert of mallory@fake\.test among eve@fake\.test's/,
  );
  list = { not: "a list" };
  await rejectsWith(
    federation.actorCert("mallory@fake.test", "1"),
    502,
    "P2CORE_HOME_SERVER_INVALID",
    /not an array/,
  );
  list = [wellSigned];
  const found = await federation.actorCert("mallory@fake.test", mallory.serial);
  assert.equal(found?.serial, mallory.serial);
});

test("a peer that fails, hangs or is not there is unreachable (502), within the timeout", async () => {
  const { federation } = client({ timeoutMs: 200 });
  answer = sendJson({ errcode: 503, error: "P2CORE_UNAVAILABLE", message: "later" }, 503);
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_UNREACHABLE", /answered 503/);

  answer = () => {}; // never answers
  const started = Date.now();
  await rejectsWith(federation.homeRoot("fake.test"), 502, "P2CORE_HOME_SERVER_UNREACHABLE", /within 200 ms/);
  assert.ok(Date.now() - started < 2000);

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const gone = client({ peers: { "gone.test": `http://127.0.0.1:${port}` } });
  await rejectsWith(
    gone.federation.homeRoot("gone.test"),
    502,
    "P2CORE_HOME_SERVER_UNREACHABLE",
    /cannot be reached/,
  );

  await rejectsWith(federation.homeRoot("127.0.0.1"), 502, "P2CORE_HOME_SERVER_UNREACHABLE", /IP address/);
});

test("without a peers entry a domain is resolved through HTTPS /.well-known/polyproto-core", async () => {
  const home = await rootAnswer("wk.test");
  const seen: string[] = [];
  let api = "https://api.wk.test/p2/";
  // Stands in for DNS and TLS: https://wk.test and https://api.wk.test are the fake peer.
  const viaFake: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    seen.push(url.href);
    return fetch(`${fakeUrl}${url.pathname}${url.search}`, init);
  };
  answer = (request, response) =>
    sendJson(request.url === "/.well-known/polyproto-core" ? { api } : home.cacheable)(request, response);
  const { federation } = client({ fetch: viaFake });
  const root = await federation.homeRoot("wk.test");
  assert.equal(root.serial, home.root.serial);
  assert.deepEqual(seen, [
    "https://wk.test/.well-known/polyproto-core",
    "https://api.wk.test/p2/v1/idcert/server",
  ]);

  api = "http://api.wk.test/p2/";
  const plain = client({ fetch: viaFake });
  await rejectsWith(plain.federation.homeRoot("wk.test"), 502, "P2CORE_HOME_SERVER_INVALID", /non-HTTPS/);
});

test("once the window has passed and the home server is down, the answer is an error, never the stale cert", async () => {
  const { federation, clock } = client();
  assert.ok(await federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop" }));
  await a.close();
  aClosed = true;
  // Still usable: served from the cache without the home server.
  assert.ok(await federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop" }));
  clock.now += (CACHE_TTL_SECONDS + 1) * 1000;
  await rejectsWith(
    federation.actorCert("alice@a.test", alice.serial, { sessionId: "laptop" }),
    502,
    "P2CORE_HOME_SERVER_UNREACHABLE",
  );
});
