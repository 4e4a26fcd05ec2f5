import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  createIdCsr,
  createRootCert,
  generateChallenge,
  issueIdCert,
  parseIdCert,
  SigningKey,
  signKeyTrial,
  verifyCacheableIdCert,
  verifyKeyTrial,
} from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";

// Two home servers: alice@a.test authenticates on b.test by key trial. a.test counts the certificate
// look-ups it answers, so the tests see when b.test uses its cache.
const DAY = 24 * 3600 * 1000;
const PASSWORD = "correct horse battery";
let a: TestServer;
let b: TestServer;
let aClosed = false;
const lookups: string[] = [];
const lookupsOf = (path: string) => lookups.filter((url) => url.startsWith(path)).length;

before(async () => {
  a = await startTestServer({
    env: { P2_DOMAIN: "a.test" },
    routes: (app) => {
      app.server.on("request", (request) => lookups.push(decodeURIComponent(request.url ?? "")));
    },
  });
  b = await startTestServer({ env: { P2_DOMAIN: "b.test", P2_PEERS: JSON.stringify({ "a.test": a.url }) } });
  await register(a, "alice");
  await register(a, "bob");
});
after(async () => {
  if (!aClosed) await a.close();
  await b.close();
});

const json = (body: unknown, method = "POST") => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function register(server: TestServer, localName: string): Promise<void> {
  const res = await fetch(`${server.url}/.p2/auth/v1/register`, json({ localName, password: PASSWORD }));
  assert.equal(res.status, 201);
}

interface Login {
  readonly key: SigningKey;
  readonly idCertPem: string;
  readonly serial: string;
  readonly token: string;
}

/** Logs in on the actor's home server through the real route, for a new session. */
async function login(server: TestServer, localName: string, sessionId: string): Promise<Login> {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: `${localName}@${server.config.domain}`, sessionId });
  const res = await fetch(
    `${server.url}/.p2/auth/v1/login`,
    json({ localName, password: PASSWORD, csr: csr.pem }),
  );
  assert.equal(res.status, 201);
  const { idCertPem, token } = (await res.json()) as { idCertPem: string; token: string };
  return { key, idCertPem, token, serial: (await parseIdCert(idCertPem)).serial };
}

async function challengeOf(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/.p2/core/v1/challenge`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { challenge: string }).challenge;
}

/** POST /session/auth with a fresh challenge signed by `key`, unless the test says otherwise. */
async function authenticate(
  server: TestServer,
  cert: { idCertPem: string; key: SigningKey },
  options: { challenge?: string; signature?: string } = {},
) {
  const challenge = options.challenge ?? (await challengeOf(server));
  const signature = options.signature ?? (await signKeyTrial(cert.key, challenge));
  const res = await fetch(
    `${server.url}/.p2/core/v1/session/auth`,
    json({ idCertPem: cert.idCertPem, challenge, signature }),
  );
  return { res, challenge, body: (await res.json()) as { token?: string; error?: string; message?: string } };
}

async function assertRefused(
  result: { res: Response; body: { error?: string; message?: string } },
  status: number,
  code: string,
) {
  assert.equal(result.body.error, code, result.body.message);
  assert.equal(result.res.status, status);
  assert.ok(result.body.message && result.body.message.length > 10, "a message for humans");
}

/** PUT /session/idcert/extern on `server` with `token`: the route foreign sessions use. */
function putExtern(server: TestServer, token: string, pem: string) {
  return fetch(`${server.url}/.p2/core/v1/session/idcert/extern`, {
    method: "PUT",
    headers: { ...bearer(token), "content-type": "text/plain" },
    body: pem,
  });
}

async function revokeOnHome(home: TestServer, token: string, sessionId: string): Promise<void> {
  const res = await fetch(`${home.url}/.p2/core/v1/session?session_id=${sessionId}`, {
    method: "DELETE",
    headers: { ...bearer(token), "x-p2-sensitive-solution": PASSWORD },
  });
  assert.equal(res.status, 204);
}

/** a.test's root key, for crafting certs a.test never issued. */
function rootKeyOf(server: TestServer): Promise<SigningKey> {
  return SigningKey.fromPkcs8Pem(readFileSync(join(server.config.dataDir, "root-key.pem"), "utf8"));
}

let laptop: Login;
let firstChallenge: string;

test("a challenge is 64 characters of [A-Za-z0-9], valid for 5 minutes, never the same twice", async () => {
  const res = await fetch(`${b.url}/.p2/core/v1/challenge`);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const { challenge, expires } = (await res.json()) as { challenge: string; expires: number };
  assert.match(challenge, /^[A-Za-z0-9]{64}$/);
  const inSeconds = expires - Date.now() / 1000;
  assert.ok(inSeconds > 298 && inSeconds <= 300, `expires in ${inSeconds} s`);
  assert.notEqual(await challengeOf(b), challenge);
});

test("alice@a.test authenticates on b.test by key trial and uses the token there", async () => {
  laptop = await login(a, "alice", "laptop");
  const result = await authenticate(b, laptop);
  assert.equal(result.res.status, 200, result.body.message);
  assert.match(result.body.token ?? "", /^[A-Za-z0-9_-]{43}$/);
  firstChallenge = result.challenge;
  const token = result.body.token!;
  // b.test asked a.test for its root and for alice's laptop certs, once each.
  assert.equal(lookupsOf("/.p2/core/v1/idcert/server"), 1);
  assert.equal(lookupsOf("/.p2/core/v1/idcert/actor/alice@a.test?session_id=laptop"), 1);

  // A bearer route on b.test: the token is a live foreign session.
  assert.equal((await putExtern(b, token, laptop.idCertPem)).status, 201);
  // A local-only route recognises the token and refuses the foreign actor (not 401).
  const local = await fetch(`${b.url}/.p2/core/v1/idcert`, {
    method: "POST",
    headers: { ...bearer(token), "content-type": "text/plain", "x-p2-sensitive-solution": PASSWORD },
    body: "x",
  });
  assert.equal(local.status, 403);
  assert.equal(((await local.json()) as { error: string }).error, "P2CORE_LOCAL_ACTORS_ONLY");
  // The a.test token is not a b.test token.
  assert.equal((await putExtern(b, laptop.token, laptop.idCertPem)).status, 401);
});

test("a warm cache answers the next key trial without asking a.test; the new token replaces the old", async () => {
  const before = lookups.length;
  const first = await authenticate(b, laptop);
  assert.equal(first.res.status, 200);
  const second = await authenticate(b, laptop);
  assert.equal(second.res.status, 200);
  assert.equal(lookups.length, before, "no request to a.test");
  // One live token per cert (PROFILE §3): the earlier one is dead.
  assert.equal((await putExtern(b, first.body.token!, laptop.idCertPem)).status, 401);
  assert.equal((await putExtern(b, second.body.token!, laptop.idCertPem)).status, 201);
});

test("b.test refuses a replayed, an expired and an unknown challenge", async () => {
  await assertRefused(
    await authenticate(b, laptop, { challenge: firstChallenge }),
    401,
    "P2CORE_CHALLENGE_INVALID",
  );

  const expired = generateChallenge();
  assert.ok(await b.storage.challenges.create({ challenge: expired, expiresAt: Date.now() - 1000 }));
  await assertRefused(await authenticate(b, laptop, { challenge: expired }), 401, "P2CORE_CHALLENGE_INVALID");

  // a.test's challenge is not b.test's.
  const foreign = await challengeOf(a);
  await assertRefused(await authenticate(b, laptop, { challenge: foreign }), 401, "P2CORE_CHALLENGE_INVALID");

  // A used challenge stays used, even when the attempt failed for another reason.
  const challenge = await challengeOf(b);
  const wrong = await signKeyTrial(await SigningKey.generate(), challenge);
  await assertRefused(
    await authenticate(b, laptop, { challenge, signature: wrong }),
    401,
    "P2CORE_KEY_TRIAL_FAILED",
  );
  await assertRefused(await authenticate(b, laptop, { challenge }), 401, "P2CORE_CHALLENGE_INVALID");
});

test("b.test refuses a wrong signature", async () => {
  const challenge = await challengeOf(b);
  const other = await signKeyTrial(laptop.key, `${challenge}x`);
  await assertRefused(
    await authenticate(b, laptop, { challenge, signature: other }),
    401,
    "P2CORE_KEY_TRIAL_FAILED",
  );
  await assertRefused(
    await authenticate(b, laptop, { signature: "00".repeat(64) }),
    401,
    "P2CORE_KEY_TRIAL_FAILED",
  );
  await assertRefused(
    await authenticate(b, laptop, { signature: "not hex" }),
    401,
    "P2CORE_KEY_TRIAL_FAILED",
  );
});

test("b.test refuses a cert that a.test revoked", async () => {
  const phone = await login(a, "alice", "phone");
  await revokeOnHome(a, laptop.token, "phone");
  await assertRefused(await authenticate(b, phone), 401, "P2CORE_CERT_REVOKED");
});

test("b.test refuses an expired cert signed by a.test's key", async () => {
  const aKey = await rootKeyOf(a);
  const now = Date.now();
  // A root for the same key and domain whose validity reaches into the past, to issue a cert there.
  const pastRoot = await createRootCert({
    signingKey: aKey,
    domain: "a.test",
    notBefore: new Date(now - 40 * DAY),
  });
  const key = await SigningKey.generate();
  const cert = await issueIdCert({
    csr: await createIdCsr({ signingKey: key, fid: "alice@a.test", sessionId: "old" }),
    issuerKey: aKey,
    rootCert: pastRoot,
    notBefore: new Date(now - 20 * DAY),
    notAfter: new Date(now - DAY),
  });
  await assertRefused(await authenticate(b, { idCertPem: cert.pem, key }), 401, "P2CORE_CERT_EXPIRED");
});

test("b.test refuses a cert from another root with the same domain name", async () => {
  const impostorKey = await SigningKey.generate();
  const impostorRoot = await createRootCert({ signingKey: impostorKey, domain: "a.test" });
  const key = await SigningKey.generate();
  const cert = await issueIdCert({
    csr: await createIdCsr({ signingKey: key, fid: "alice@a.test", sessionId: "laptop" }),
    issuerKey: impostorKey,
    rootCert: impostorRoot,
  });
  await assertRefused(await authenticate(b, { idCertPem: cert.pem, key }), 401, "P2CORE_CERT_UNTRUSTED");
});

test("b.test refuses a cert signed by a.test's key that a.test does not list", async () => {
  const aKey = await rootKeyOf(a);
  const served = (await (await fetch(`${a.url}/.p2/core/v1/idcert/server`)).json()) as { idCertPem: string };
  const key = await SigningKey.generate();
  const cert = await issueIdCert({
    csr: await createIdCsr({ signingKey: key, fid: "alice@a.test", sessionId: "ghost" }),
    issuerKey: aKey,
    rootCert: await parseIdCert(served.idCertPem),
  });
  await assertRefused(await authenticate(b, { idCertPem: cert.pem, key }), 401, "P2CORE_CERT_UNKNOWN");
});

test("b.test refuses what is not an actor's ID-Cert", async () => {
  await assertRefused(
    await authenticate(b, {
      idCertPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      key: laptop.key,
    }),
    400,
    "P2CORE_INVALID_CERT",
  );
  const served = (await (await fetch(`${a.url}/.p2/core/v1/idcert/server`)).json()) as { idCertPem: string };
  await assertRefused(
    await authenticate(b, { idCertPem: served.idCertPem, key: laptop.key }),
    400,
    "P2CORE_INVALID_CERT",
  );
  const missing = await fetch(`${b.url}/.p2/core/v1/session/auth`, json({ idCertPem: laptop.idCertPem }));
  assert.equal(missing.status, 400);
});

test("b.test's own actors authenticate by key trial against b.test's CA", async () => {
  await register(b, "carol");
  const carol = await login(b, "carol", "desk");
  const before = lookups.length;
  const result = await authenticate(b, carol);
  assert.equal(result.res.status, 200, result.body.message);
  assert.equal(lookups.length, before, "a.test is not asked");
  // A local session: local-only routes accept it (here: wrong password → 403 from the sensitive check).
  const res = await fetch(`${b.url}/.p2/core/v1/session?session_id=nothing`, {
    method: "DELETE",
    headers: { ...bearer(result.body.token!), "x-p2-sensitive-solution": "wrong password" },
  });
  assert.equal(((await res.json()) as { error: string }).error, "P2CORE_SENSITIVE_SOLUTION_WRONG");
});

test("GET /keytrial/{fid} publishes the trials completed on b.test, verifiable by anyone", async () => {
  const res = await fetch(`${b.url}/.p2/core/v1/keytrial/Alice@a.test`);
  assert.equal(res.status, 200);
  const trials = (await res.json()) as {
    keyTrial: { trial: string; expires: number };
    keyTrialCompletion: { signature: string; serialNumber: string }[];
  }[];
  assert.equal(trials.length, 3);
  for (const { keyTrial, keyTrialCompletion } of trials) {
    assert.match(keyTrial.trial, /^[A-Za-z0-9]{64}$/);
    assert.equal(typeof keyTrial.expires, "number");
    assert.equal(keyTrialCompletion.length, 1);
    assert.equal(keyTrialCompletion[0]!.serialNumber, laptop.serial);
    assert.ok(await verifyKeyTrial(laptop.key.publicKey, keyTrial.trial, keyTrialCompletion[0]!.signature));
  }
  assert.equal(trials[0]!.keyTrial.trial, firstChallenge);

  const limited = (await (
    await fetch(`${b.url}/.p2/core/v1/keytrial/alice@a.test?limit=1`)
  ).json()) as unknown[];
  assert.equal(limited.length, 1);
  const byId = await fetch(`${b.url}/.p2/core/v1/keytrial/alice@a.test?id=${firstChallenge}`);
  assert.equal(((await byId.json()) as unknown[]).length, 1);
  const future = Math.floor(Date.now() / 1000) + 3600;
  assert.equal((await fetch(`${b.url}/.p2/core/v1/keytrial/alice@a.test?notBefore=${future}`)).status, 204);
  assert.equal((await fetch(`${b.url}/.p2/core/v1/keytrial/nobody@a.test`)).status, 204);
  assert.equal((await fetch(`${b.url}/.p2/core/v1/keytrial/a@b@c`)).status, 400);
});

test("PUT /session/idcert/extern: a revoked cert reported to b.test ends its token there", async () => {
  const tablet = await login(a, "alice", "tablet");
  const auth = await authenticate(b, tablet);
  assert.equal(auth.res.status, 200);
  const token = auth.body.token!;
  await revokeOnHome(a, laptop.token, "tablet");
  // b.test does not know yet: the token still works.
  assert.equal((await putExtern(b, token, laptop.idCertPem)).status, 201);
  // Not the caller's cert, not a cert: 400.
  const bob = await login(a, "bob", "phone");
  const notCallers = await putExtern(b, token, bob.idCertPem);
  assert.equal(notCallers.status, 400);
  assert.equal(((await notCallers.json()) as { error: string }).error, "P2CORE_CERT_NOT_CALLERS");
  const garbage = await putExtern(b, token, "hello");
  assert.equal(garbage.status, 400);
  assert.equal(((await garbage.json()) as { error: string }).error, "P2CORE_INVALID_CERT");

  const actorLookups = lookupsOf("/.p2/core/v1/idcert/actor/alice@a.test?session_id=tablet");
  assert.equal((await putExtern(b, token, tablet.idCertPem)).status, 201);
  assert.equal(
    lookupsOf("/.p2/core/v1/idcert/actor/alice@a.test?session_id=tablet"),
    actorLookups + 1,
    "asked afresh",
  );
  assert.equal((await putExtern(b, token, tablet.idCertPem)).status, 401, "the token has ended");
  // And the refreshed cache refuses the cert from now on.
  await assertRefused(await authenticate(b, tablet), 401, "P2CORE_CERT_REVOKED");
});

test("b.test answers for a.test's actors' certs by asking a.test (core §6.4), signed by a.test", async () => {
  const alice = await login(a, "alice", "listed");
  const res = await fetch(`${b.url}/.p2/core/v1/idcert/actor/alice@a.test?session_id=listed`);
  assert.equal(res.status, 200);
  const listed = (await res.json()) as { idCertPem: string; cacheSignature: string }[];
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.idCertPem, alice.idCertPem);
  const root = await parseIdCert(
    ((await (await fetch(`${a.url}/.p2/core/v1/idcert/server`)).json()) as { idCertPem: string }).idCertPem,
  );
  await verifyCacheableIdCert(listed[0] as never, root.publicKey);
  const unknown = await fetch(`${b.url}/.p2/core/v1/idcert/actor/nobody@a.test`);
  assert.deepEqual(await unknown.json(), []);
});

test("b.test refuses an actor whose home server is down", async () => {
  const desk = await login(a, "alice", "desk");
  await a.close();
  aClosed = true;
  await assertRefused(await authenticate(b, desk), 502, "P2CORE_HOME_SERVER_UNREACHABLE");
  // A cert b.test still holds within its cache window is checked without a.test.
  assert.equal((await authenticate(b, laptop)).res.status, 200);
});
