/**
 * Sessions over two real servers: register and login on a.test, key trials on b.test (automatic,
 * once, reused — also by a resumed client — and again after a 401), revocation, logout, errors for
 * unknown and unreachable servers, and the typed core APIs.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createIdCsr, parseIdCert, SigningKey, validateRootCert } from "@p2chat/polyproto";
import { P2Client } from "../client.js";
import { P2ClientError } from "../errors.js";
import { PASSWORD, recordingFetch, startTwoServers, type TwoServers } from "../servers.test-helper.js";
import { MemoryStore } from "../store/memoryStore.js";

let servers: TwoServers;
const store = new MemoryStore();
const recorder = recordingFetch();
let alice: P2Client;

before(async () => {
  servers = await startTwoServers();
  const registered = await P2Client.register({
    homeServer: "a.test",
    localName: "Alice",
    password: PASSWORD,
    servers: servers.servers,
  });
  assert.deepEqual(registered, { fid: "alice@a.test" });
  alice = await P2Client.login({
    homeServer: "A.test",
    localName: "alice",
    password: PASSWORD,
    sessionId: "laptop",
    store,
    servers: servers.servers,
    fetch: recorder.fetch,
  });
});
after(async () => {
  await alice.close();
  await servers.a.close();
  await servers.b.close();
});

const refusedWith = (status: number, code: string) => (error: unknown) => {
  assert.ok(error instanceof P2ClientError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(error.status, status);
  assert.ok(error.message.length > 10);
  return true;
};

test("login stores the key, the cert (checked against a.test's root) and the home token", async () => {
  assert.equal(alice.fid, "alice@a.test");
  assert.equal(alice.sessionId, "laptop");
  assert.equal(alice.homeDomain, "a.test");
  const stored = await store.loadSession("alice@a.test", "laptop");
  assert.equal(stored?.idCertPem, alice.idCert.pem);
  assert.ok(stored && stored.privateKey.length > 32);
  assert.ok(await store.loadToken("alice@a.test", "laptop", "a.test"));
  const own = await alice.identity.ownCerts();
  assert.equal(own.length, 1);
  assert.equal((await parseIdCert(own[0]!.idCertPem)).serial, alice.idCert.serial);
  assert.equal(
    recorder.count(/^GET \S+ \/\.p2\/core\/v1\/idcert\/server$/),
    1,
    "the root was fetched to check the cert",
  );
});

test("register and login errors carry the server's code and status", async () => {
  await assert.rejects(
    P2Client.register({
      homeServer: "a.test",
      localName: "alice",
      password: PASSWORD,
      servers: servers.servers,
    }),
    refusedWith(409, "P2CORE_FEDERATION_ID_TAKEN"),
  );
  await assert.rejects(
    P2Client.login({
      homeServer: "a.test",
      localName: "alice",
      password: "wrong password",
      servers: servers.servers,
    }),
    refusedWith(401, "P2CORE_WRONG_CREDENTIALS"),
  );
  await assert.rejects(
    P2Client.login({
      homeServer: "a.test",
      localName: "alice",
      password: PASSWORD,
      sessionId: "laptop",
      servers: servers.servers,
    }),
    refusedWith(409, "P2CORE_SESSION_ID_TAKEN"),
  );
  await assert.rejects(
    P2Client.login({
      homeServer: "a.test",
      localName: "al ice",
      password: PASSWORD,
      servers: servers.servers,
    }),
    refusedWith(0, "P2CORE_INVALID_FEDERATION_ID"),
  );
});

test("the first call on b.test makes one key trial; the token is reused afterwards", async () => {
  const challenges = () => recorder.count(/^GET \S+ \/\.p2\/core\/v1\/challenge$/);
  assert.equal(challenges(), 0);
  assert.deepEqual(await alice.polling.poll("b.test"), []);
  assert.equal(challenges(), 1);
  assert.equal(recorder.count(/^POST \S+ \/\.p2\/core\/v1\/session\/auth$/), 1);
  await alice.polling.poll("B.TEST");
  await alice.foreign.announceCert("b.test", alice.idCert.pem);
  assert.equal(challenges(), 1, "no second key trial");
  const token = await store.loadToken("alice@a.test", "laptop", "b.test");
  assert.equal(await alice.tokenFor("b.test"), token);
  const trials = await alice.foreign.keyTrials("b.test", "alice@a.test");
  assert.equal(trials.length, 1);
  assert.equal(trials[0]?.keyTrialCompletion[0]?.serialNumber, alice.idCert.serial);
});

test("a resumed client uses the stored key, cert and tokens without a new key trial", async () => {
  const resumedFetch = recordingFetch();
  const resumed = await P2Client.resume({
    store,
    fid: "ALICE@a.test",
    servers: servers.servers,
    fetch: resumedFetch.fetch,
  });
  assert.equal(resumed.sessionId, "laptop");
  assert.equal(resumed.idCert.serial, alice.idCert.serial);
  await resumed.polling.poll("b.test");
  assert.deepEqual(
    resumedFetch.requests.filter((r) => !r.includes("/v1/events")),
    [],
    "only the poll itself",
  );
  await assert.rejects(
    P2Client.resume({ store, fid: "bob@a.test", servers: servers.servers }),
    refusedWith(0, "P2CLIENT_NO_SESSION"),
  );
});

test("a token replaced on b.test (401) is renewed by a new key trial and the call succeeds", async () => {
  const other = await P2Client.resume({ store, fid: "alice@a.test", servers: servers.servers });
  const before = await alice.tokenFor("b.test");
  const replacement = await other.authenticateOn("b.test"); // one live token per cert: alice's is dead now
  assert.notEqual(replacement, before);
  const challenges = recorder.count(/^GET \S+ \/\.p2\/core\/v1\/challenge$/);
  assert.deepEqual(await alice.polling.poll("b.test"), []);
  assert.equal(recorder.count(/^GET \S+ \/\.p2\/core\/v1\/challenge$/), challenges + 1, "one new key trial");
  assert.equal(await store.loadToken("alice@a.test", "laptop", "b.test"), await alice.tokenFor("b.test"));
});

test("a dead home token is renewed by a key trial on the home server (a local session)", async () => {
  const twin = await P2Client.resume({ store, fid: "alice@a.test", servers: servers.servers });
  const dead = await alice.tokenFor("a.test");
  await twin.authenticateOn("a.test"); // replaces alice's home token (one live token per cert)
  const challenges = recorder.count(/^GET \S+ \/\.p2\/core\/v1\/challenge$/);
  assert.deepEqual(
    await alice.keyMaterial.get(),
    [],
    "a route for local actors only: the new session is local",
  );
  assert.equal(recorder.count(/^GET \S+ \/\.p2\/core\/v1\/challenge$/), challenges + 1);
  assert.notEqual(await alice.tokenFor("a.test"), dead);
});

test("after the session is revoked, calls fail with the key trial's P2CORE_CERT_REVOKED", async () => {
  const phone = await P2Client.login({
    homeServer: "a.test",
    localName: "alice",
    password: PASSWORD,
    sessionId: "phone",
    servers: servers.servers,
  });
  const tablet = await P2Client.login({
    homeServer: "a.test",
    localName: "alice",
    password: PASSWORD,
    servers: servers.servers,
  });
  await assert.rejects(
    phone.identity.revokeSession("tablet", "not the password"),
    refusedWith(403, "P2CORE_SENSITIVE_SOLUTION_WRONG"),
  );
  await phone.identity.revokeSession(tablet.sessionId, PASSWORD);
  await assert.rejects(tablet.keyMaterial.get(), refusedWith(401, "P2CORE_CERT_REVOKED"));
  const certs = await phone.identity.ownCerts({ sessionId: tablet.sessionId });
  assert.ok(certs[0]?.invalidatedAt, "listed with invalidatedAt");

  const phoneStore = phone.store;
  await phone.logout(PASSWORD);
  assert.equal(
    await phoneStore.loadSession("alice@a.test", "phone"),
    undefined,
    "logout forgets the session",
  );
});

test("unknown servers and unreachable ones are told apart", async () => {
  const stubbed: typeof fetch = async (input) => {
    const url = String(input);
    if (url.startsWith("https://nowhere.test/"))
      throw new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } });
    if (url.startsWith("https://plain.test/")) return new Response("<html>hello</html>", { status: 404 });
    if (url.startsWith("https://http-api.test/"))
      return Response.json({ api: "http://http-api.test/.p2/core/" });
    return fetch(input);
  };
  const client = await P2Client.resume({
    store,
    fid: "alice@a.test",
    fetch: stubbed,
    servers: { ...servers.servers, "down.test": "http://127.0.0.1:9" },
  });
  await assert.rejects(client.polling.poll("nowhere.test"), refusedWith(0, "P2CLIENT_UNKNOWN_SERVER"));
  await assert.rejects(client.polling.poll("plain.test"), refusedWith(0, "P2CLIENT_UNKNOWN_SERVER"));
  await assert.rejects(client.polling.poll("http-api.test"), refusedWith(0, "P2CLIENT_UNKNOWN_SERVER"));
  await assert.rejects(client.polling.poll("down.test"), refusedWith(0, "P2CLIENT_NETWORK"));
  await assert.rejects(client.polling.poll("not a domain"), refusedWith(0, "P2CORE_INVALID_DOMAIN"));
  await assert.rejects(
    P2Client.login({
      homeServer: "down.test",
      localName: "x",
      password: PASSWORD,
      servers: { "down.test": "http://127.0.0.1:9" },
    }),
    (error: P2ClientError) => error.code === "P2CLIENT_NETWORK" && /down\.test/.test(error.message),
  );
});

test("typed core APIs: services, key material (exact 2^63 serials), invites, new session cert, key rotation", async () => {
  const provider = await alice.services.register({ service: "polyproto-chat", url: "https://chat.a.test" });
  assert.deepEqual(provider, { service: "polyproto-chat", url: "https://chat.a.test", primary: true });
  assert.deepEqual(await alice.services.discover("alice@a.test"), [provider]);
  assert.deepEqual(await alice.services.discover("alice@a.test", { service: "other-service" }), []);
  assert.ok(Array.isArray(await alice.services.unregister([provider])));
  assert.deepEqual(await alice.services.discover("alice@a.test"), []);

  assert.ok((await alice.keyMaterial.sizeLimit()) >= 800);
  assert.deepEqual(await alice.keyMaterial.get(), []);
  const element = {
    key_data: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    serialNumber: alice.idCert.serial,
    encryptionAlgorithms: ["2.16.840.1.101.3.4.1.46"],
  };
  await alice.keyMaterial.upload([element]);
  assert.deepEqual(
    await alice.keyMaterial.get([alice.idCert.serial]),
    [element],
    "serial digits kept exactly",
  );
  await alice.keyMaterial.delete([alice.idCert.serial], PASSWORD);
  assert.deepEqual(await alice.keyMaterial.get(), []);

  const invite = await alice.invites.create({ maxUses: 2 });
  assert.equal(invite.usesLeft, 2);
  assert.deepEqual(
    (await alice.invites.list()).map((i) => i.code),
    [invite.code],
  );
  await alice.invites.delete(invite.code);
  assert.deepEqual(await alice.invites.list(), []);

  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: "alice@a.test", sessionId: "desktop" });
  const created = await alice.identity.newIdCert(csr.pem, PASSWORD);
  assert.equal((await parseIdCert(created.idCertPem)).sessionId, "desktop");
  assert.ok(created.token.length > 20);

  const newRoot = await alice.identity.rotateServerKey(PASSWORD);
  const root = await validateRootCert(await parseIdCert(newRoot), { domain: "a.test" });
  assert.equal(root.subject.domain, "a.test");
});
