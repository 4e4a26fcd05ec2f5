/**
 * Message verification over real servers: alice@a.test signs; bob@b.test's client verifies.
 * c.test is a stand-in conversation server that knows nobody (404) and d.test one that relays
 * alice's certs with a stretched cache window (which its cacheSignature then contradicts).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { type CacheableIdCert, createEnvelope, SigningKey, signEnvelope } from "@p2chat/polyproto";
import { P2Client } from "../client.js";
import { ServerApi } from "../http/api.js";
import { ServerResolver } from "../http/resolver.js";
import { HttpTransport } from "../http/transport.js";
import { PASSWORD, recordingFetch, startTwoServers, type TwoServers } from "../servers.test-helper.js";
import { MemoryStore } from "../store/memoryStore.js";
import { ActorCerts } from "./actorCerts.js";
import { RootCerts } from "./rootCerts.js";
import { MessageVerifier, type SignedMessageInput } from "./verifyMessage.js";

let servers: TwoServers;
const standIns: Server[] = [];
let map: Record<string, string>;
let alice: P2Client;
let bob: P2Client;
const recorder = recordingFetch();
let aClosed = false;

/**
 * A stand-in conversation server: `notFound` answers 404 to everything (a server that knows only its
 * own actors); `stretching` relays a.test's cert lists with every window stretched by a day.
 */
async function startStandIn(
  kind: "notFound" | "stretching",
  aUrl: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const path = request.url ?? "";
    if (kind === "stretching" && path.includes("/idcert/actor/")) {
      const real = (await (await fetch(`${aUrl}${path}`)).json()) as CacheableIdCert[];
      const stretched = real.map((c) => ({ ...c, cacheNotValidAfter: c.cacheNotValidAfter + 86_400 }));
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stretched));
      return;
    }
    response
      .writeHead(404, { "content-type": "application/json" })
      .end(
        JSON.stringify({ errcode: 404, error: "P2CORE_NOT_FOUND", message: "not an actor of this server" }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

before(async () => {
  servers = await startTwoServers();
  const c = await startStandIn("notFound", servers.a.url);
  const d = await startStandIn("stretching", servers.a.url);
  standIns.push(c.server, d.server);
  map = { ...servers.servers, "c.test": c.url, "d.test": d.url };
  await P2Client.register({ homeServer: "a.test", localName: "alice", password: PASSWORD, servers: map });
  await P2Client.register({ homeServer: "b.test", localName: "bob", password: PASSWORD, servers: map });
  alice = await P2Client.login({
    homeServer: "a.test",
    localName: "alice",
    password: PASSWORD,
    sessionId: "laptop",
    servers: map,
  });
  bob = await P2Client.login({
    homeServer: "b.test",
    localName: "bob",
    password: PASSWORD,
    servers: map,
    fetch: recorder.fetch,
  });
});
after(async () => {
  await alice.close();
  await bob.close();
  if (!aClosed) await servers.a.close();
  await servers.b.close();
  for (const server of standIns) await new Promise((resolve) => server.close(resolve));
});

const channel = (domain: string) => `chat:channel:${domain}/01JABCDEFGHJKMNPQRSTVWXYZ0`;
const hello = (to = channel("b.test")) =>
  alice.signMessage({ kind: "chat.message", to, body: { content: "hello" } });

test("a message signed by alice verifies; the second time from the cache without a request", async () => {
  const message = await hello();
  const start = recorder.requests.length;
  const first = await bob.verifyMessage(message);
  assert.equal(first.status, "verified", first.reason);
  // b.test may relay alice's certs (core §6.4) or answer 404 for an actor that is not its own.
  assert.ok(first.source === "conversation server" || first.source === "home server", first.source);
  const asked = recorder.requests.slice(start);
  assert.equal(
    asked[0],
    `GET ${new URL(servers.a.url).host} /.p2/core/v1/idcert/server`,
    "the root first, from a.test",
  );
  assert.equal(
    asked[1],
    `GET ${new URL(servers.b.url).host} /.p2/core/v1/idcert/actor/alice@a.test?session_id=laptop`,
    "then the conversation's server",
  );
  const before = recorder.requests.length;
  const again = await bob.verifyMessage(await hello());
  assert.deepEqual(again, { status: "verified", source: "cache" });
  assert.equal(recorder.requests.length, before, "nothing asked");
});

test("a conversation server that does not know alice (404) is followed by her home server", async () => {
  const fresh = await P2Client.login({
    homeServer: "b.test",
    localName: "bob",
    password: PASSWORD,
    servers: map,
  });
  const result = await fresh.verifyMessage(await hello(channel("c.test")));
  assert.deepEqual(result, { status: "verified", source: "home server" });
  const dm = await alice.signMessage({
    kind: "chat.message",
    to: "chat:dm:bob@c.test",
    body: { content: "psst" },
  });
  const viaDm = await (
    await P2Client.login({ homeServer: "b.test", localName: "bob", password: PASSWORD, servers: map })
  ).verifyMessage(dm);
  assert.deepEqual(viaDm, { status: "verified", source: "home server" }, "a DM's server is the recipient's");
});

test("certs relayed with a stretched cache window are refused; the home server's are used", async () => {
  const relayed = recordingFetch();
  const fresh = await P2Client.login({
    homeServer: "b.test",
    localName: "bob",
    password: PASSWORD,
    servers: map,
    fetch: relayed.fetch,
  });
  const result = await fresh.verifyMessage(await hello(), { server: "d.test" });
  assert.deepEqual(result, { status: "verified", source: "home server" });
  const dHost = new URL(map["d.test"]!).host;
  assert.equal(
    relayed.count(new RegExp(`^GET ${dHost} /\\.p2/core/v1/idcert/actor/`)),
    1,
    "d.test was asked first",
  );
});

test("a tampered envelope, another key, or a wrong session fail; malformed input fails too", async () => {
  const message = await hello();
  const tampered = { ...message, envelope: { ...message.envelope, body: { content: "hello!" } } };
  const result = await bob.verifyMessage(tampered);
  assert.equal(result.status, "failed");
  assert.match(result.reason ?? "", /signature does not verify/);

  const mallory = await SigningKey.generate();
  const forged = createEnvelope({ ...message.envelope, body: { content: "send money" } });
  const wrongKey = await bob.verifyMessage({
    envelope: forged,
    signature: await signEnvelope(mallory, forged),
  });
  assert.equal(wrongKey.status, "failed", wrongKey.reason);

  const otherSession = createEnvelope({ ...message.envelope, session: "phone" });
  const signed = { envelope: otherSession, signature: await signEnvelope(mallory, otherSession) };
  const session = await bob.verifyMessage(signed);
  assert.equal(session.status, "failed");
  assert.match(session.reason ?? "", /session/);

  const inputs: SignedMessageInput[] = [
    { envelope: { ...message.envelope, extra: 1 }, signature: message.signature },
    { envelope: message.envelope, signature: message.signature.toUpperCase() },
    { envelope: message.envelope, signature: 42 },
    { envelope: "not an object", signature: message.signature },
    { envelope: { ...message.envelope, ts: Date.now() + 3_600_000 }, signature: message.signature },
    { envelope: message.envelope, signature: message.signature, receivedAt: message.envelope.ts + 3_600_000 },
  ];
  for (const input of inputs)
    assert.equal((await bob.verifyMessage(input)).status, "failed", JSON.stringify(input).slice(0, 80));
  assert.equal((await bob.verifyMessage(null as unknown as SignedMessageInput)).status, "failed");
});

test("a cert nobody knows is unverifiable", async () => {
  const message = await hello();
  const unknown = createEnvelope({ ...message.envelope, serial: "1234567" });
  const result = await bob.verifyMessage({ envelope: unknown, signature: message.signature });
  assert.equal(result.status, "unverifiable");
  assert.match(result.reason ?? "", /knows no cert 1234567/);
});

test("a revocation announced on the gateway (op 4) reaches the cache: messages signed after it fail", async (t) => {
  // carol@a.test verifies; her gateway on a.test hears of every revocation there.
  await P2Client.register({ homeServer: "a.test", localName: "carol", password: PASSWORD, servers: map });
  const carol = await P2Client.login({
    homeServer: "a.test",
    localName: "carol",
    password: PASSWORD,
    servers: map,
  });
  t.after(() => carol.close());
  const tablet = await P2Client.login({
    homeServer: "a.test",
    localName: "alice",
    password: PASSWORD,
    sessionId: "tablet",
    servers: map,
  });
  const before = await tablet.signMessage({
    kind: "chat.message",
    to: channel("b.test"),
    body: { content: "before" },
  });
  assert.equal(
    (await carol.verifyMessage(before)).status,
    "verified",
    "tablet's cert is now in carol's cache",
  );
  await carol.connect();
  // invalidatedAt has whole seconds: a message signed in the second of the revocation counts as after it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const invalidation = carol.next("certificateInvalidation", { timeoutMs: 3000 });
  await alice.identity.revokeSession("tablet", PASSWORD);
  assert.equal((await invalidation).meta.domain, "a.test");
  await new Promise((resolve) => setTimeout(resolve, 100)); // the cache is updated after the listeners
  const earlier = await carol.verifyMessage(before);
  assert.equal(earlier.status, "verified", "signed before the revocation");
  assert.equal(earlier.source, "cache");
  assert.ok(earlier.revokedAt, "…and the cached cert now says it has been revoked since");

  const late = await tablet.signMessage({
    kind: "chat.message",
    to: channel("b.test"),
    body: { content: "after" },
  });
  const result = await carol.verifyMessage(late);
  assert.equal(result.status, "failed");
  assert.match(result.reason ?? "", /revoked/);
});

test("with the home server down: cached certs still verify, an empty cache is unverifiable, an expired one is never used", async () => {
  let clock = Date.now();
  const transport = new HttpTransport();
  const api = new ServerApi(new ServerResolver({ servers: map, transport }), transport);
  const store = new MemoryStore();
  const now = () => clock;
  const verifier = new MessageVerifier(new RootCerts(api, store, now), new ActorCerts(api, store, now), now);
  const message = await hello();
  assert.equal((await verifier.verify(message)).status, "verified");

  await servers.a.close();
  aClosed = true;
  assert.deepEqual(await verifier.verify(message), { status: "verified", source: "cache" });
  const empty = await P2Client.login({
    homeServer: "b.test",
    localName: "bob",
    password: PASSWORD,
    servers: map,
  });
  const down = await empty.verifyMessage(message);
  assert.equal(down.status, "unverifiable");
  assert.match(down.reason ?? "", /a\.test/);

  clock += 7 * 3600 * 1000; // past the 6 h cache window
  const expired = await verifier.verify(message);
  assert.equal(expired.status, "unverifiable", "the expired entry was not used");
});
