import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../testing.js";
import { type Frame, loginActor, TestGatewayClient } from "./testClient.test-helper.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "gw.test" }, gateway: { heartbeatIntervalMs: 400 } });
});
after(() => server.close());

const isOp = (op: number, n = "core") => (f: Frame) => f.op === op && f.n === n;

describe("connection and identification", () => {
  test("Hello carries the heartbeat interval; Identify answers Ready (op 12) with s 0", async () => {
    const alice = await loginActor(server, "alice", "s1");
    const client = await TestGatewayClient.connect(server);
    assert.deepEqual(client.frames[0], { n: "core", op: 1, d: { heartbeatInterval: 400 } });
    const ready = await client.identify(alice.token);
    assert.deepEqual(ready, { n: "core", op: 12, d: { fid: "alice@gw.test", sessionId: "s1", services: ["chat", "mls"] }, s: 0 });
    client.socket.close();
  });

  test("a bad token closes with 4004", async () => {
    const client = await TestGatewayClient.connect(server);
    client.send({ n: "core", op: 2, d: { token: "x".repeat(43) } });
    assert.equal(await client.closeCode(), 4004);
  });

  test("a frame before Identify closes with 4003", async () => {
    const client = await TestGatewayClient.connect(server);
    client.send({ n: "core", op: 0, d: {} });
    assert.equal(await client.closeCode(), 4003);
  });

  test("Identify twice closes with 4005", async () => {
    const { token } = await loginActor(server, "twice", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    client.send({ n: "core", op: 2, d: { token } });
    assert.equal(await client.closeCode(), 4005);
  });

  test("no Identify within the interval closes with 4003", async () => {
    const client = await TestGatewayClient.connect(server);
    assert.equal(await client.closeCode(2000), 4003);
  });

  for (const [name, payload, code] of [
    ["text that is not JSON", "{nope", 4002],
    ["a JSON array", "[1,2]", 4002],
    ["an unknown core op", JSON.stringify({ n: "core", op: 99, d: {} }), 4001],
    ["a server-only op", JSON.stringify({ n: "core", op: 12, d: {} }), 4001],
    ["an oversize frame", JSON.stringify({ n: "core", op: 0, d: { pad: "x".repeat(300 * 1024) } }), 4002],
  ] as const) {
    test(`${name} closes with ${code}`, async () => {
      const client = await TestGatewayClient.connect(server);
      client.send(payload);
      assert.equal(await client.closeCode(), code);
    });
  }

  test("a binary frame closes with 4002", async () => {
    const client = await TestGatewayClient.connect(server);
    client.socket.send(Buffer.from([1, 2, 3]));
    assert.equal(await client.closeCode(), 4002);
  });

  test("permessage-deflate is offered and negotiated when the client asks", async () => {
    const client = await TestGatewayClient.connect(server, { perMessageDeflate: true });
    assert.match(client.socket.extensions, /permessage-deflate/);
    const plain = await TestGatewayClient.connect(server);
    assert.equal(plain.socket.extensions, "");
    client.socket.close();
    plain.socket.close();
  });
});

describe("heartbeats", () => {
  test("an empty heartbeat is acknowledged with an empty op 7", async () => {
    const { token } = await loginActor(server, "beat", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    client.send({ n: "core", op: 0, d: {} });
    assert.deepEqual(await client.next(isOp(7)), { n: "core", op: 7, d: [] });
    client.socket.close();
  });

  test("except in a heartbeat re-sends exactly those events in the ACK", async () => {
    const { token } = await loginActor(server, "resend", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    for (let i = 0; i < 3; i++) await loginActor(server, "resend", `other${i}`); // op 3 to s1, s = 1..3
    await client.next((f) => f.op === 3 && f.s === 3);
    client.send({ n: "core", op: 0, d: { from: "0", to: "3", except: ["1", "3"] } });
    const ack = await client.next(isOp(7));
    const resent = ack.d as Frame[];
    assert.deepEqual(
      resent.map((f) => [f.op, f.s]),
      [
        [3, 1],
        [3, 3],
      ],
    );
    assert.deepEqual(resent[0], client.frames.find((f) => f.s === 1));
    client.socket.close();
  });

  test("a heartbeat reaching beyond the last sequence number closes with 4007", async () => {
    const { token } = await loginActor(server, "beyond", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    client.send({ n: "core", op: 0, d: { from: "0", to: "5" } });
    assert.equal(await client.closeCode(), 4007);
  });

  test("a missed heartbeat gets a Heartbeat Request (op 11), then 4009", async () => {
    const { token } = await loginActor(server, "sleepy", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    await client.next(isOp(11), 2000);
    assert.equal(await client.closeCode(2000), 4009);
  });
});

describe("service channels", () => {
  test("subscribe to chat succeeds; an unknown service fails in op 9", async () => {
    const { token } = await loginActor(server, "channels", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    client.send({ n: "core", op: 8, d: { action: "subscribe", service: "chat" } });
    assert.deepEqual((await client.next(isOp(9))).d, { action: "subscribe", service: "chat", success: true });
    client.send({ n: "core", op: 8, d: { action: "subscribe", service: "nosuch" } });
    const failed = await client.next((f) => f.op === 9 && (f.d as { service: string }).service === "nosuch");
    assert.deepEqual(failed.d, { action: "subscribe", service: "nosuch", success: false, error: "unknown service: nosuch" });
    client.socket.close();
  });

  test("chat events reach only sessions subscribed to chat", async () => {
    const { token } = await loginActor(server, "svc", "s1");
    const second = await loginActor(server, "svc", "s2");
    const subscribed = await TestGatewayClient.connect(server);
    await subscribed.identify(token);
    subscribed.send({ n: "core", op: 8, d: { action: "subscribe", service: "chat" } });
    await subscribed.next(isOp(9));
    const plain = await TestGatewayClient.connect(server);
    await plain.identify(second.token);
    await server.app.services.gateway.publish("actor:svc@gw.test", "chat", 0, { hello: 1 });
    await subscribed.next(isOp(0, "chat"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(plain.frames.filter((f) => f.n === "chat").length, 0);
    subscribed.socket.close();
    plain.socket.close();
  });
});

describe("identity events", () => {
  test("New Session (op 3) reaches the actor's other sessions, not the new one", async () => {
    const first = await loginActor(server, "newsess", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(first.token);
    const second = await loginActor(server, "newsess", "s2");
    const event = await client.next(isOp(3));
    assert.deepEqual(event.d, { cert: second.idCertPem });
    const newClient = await TestGatewayClient.connect(server);
    await newClient.identify(second.token);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(newClient.frames.filter((f) => f.op === 3).length, 0);
    client.socket.close();
    newClient.socket.close();
  });

  test("revoking a session closes its connection with 4003; others get op 4 with the signed cert", async () => {
    const main = await loginActor(server, "revoker", "s1");
    const victim = await loginActor(server, "revoker", "s2");
    const watcher = await TestGatewayClient.connect(server);
    await watcher.identify(main.token);
    const victimClient = await TestGatewayClient.connect(server);
    await victimClient.identify(victim.token);
    const res = await fetch(`${server.url}/.p2/core/v1/session?session_id=s2`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${main.token}`, "x-p2-sensitive-solution": "long enough pw" },
    });
    assert.equal(res.status, 204);
    assert.equal(await victimClient.closeCode(), 4003);
    const invalidation = await watcher.next(isOp(4));
    const d = invalidation.d as { idCertPem: string; invalidatedAt: number; cacheSignature: string };
    assert.equal(d.idCertPem, victim.idCertPem);
    assert.equal(typeof d.invalidatedAt, "number");
    watcher.socket.close();
  });

  test("a client's op 4 is verified, then forwarded; a forged one closes with 4002", async () => {
    const owner = await loginActor(server, "inval", "s1");
    const old = await loginActor(server, "inval", "s2");
    await fetch(`${server.url}/.p2/core/v1/session?session_id=s2`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${owner.token}`, "x-p2-sensitive-solution": "long enough pw" },
    });
    const certs = (await (await fetch(`${server.url}/.p2/core/v1/idcert/actor/inval@gw.test?session_id=s2`)).json()) as Frame["d"][];
    const signed = certs[0] as Record<string, unknown>;
    const listener = await loginActor(server, "listener", "s1");
    const listenerClient = await TestGatewayClient.connect(server);
    await listenerClient.identify(listener.token);
    const sender = await TestGatewayClient.connect(server);
    await sender.identify(owner.token);
    sender.send({ n: "core", op: 4, d: signed });
    const forwarded = await listenerClient.next((f) => f.op === 4 && (f.d as { idCertPem: string }).idCertPem === old.idCertPem);
    assert.equal((forwarded.d as { cacheSignature: string }).cacheSignature, signed.cacheSignature);
    sender.send({ n: "core", op: 4, d: { ...signed, invalidatedAt: (signed.invalidatedAt as number) + 1 } });
    assert.equal(await sender.closeCode(), 4002);
    listenerClient.socket.close();
  });

  test("rotating the server key sends op 6 to every session", async () => {
    const admin = await loginActor(server, "aaadmin", "s1");
    await server.storage.accounts.setAdmin("aaadmin@gw.test", true);
    const client = await TestGatewayClient.connect(server);
    await client.identify(admin.token);
    const res = await fetch(`${server.url}/.p2/core/v1/key/server`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "x-p2-sensitive-solution": "long enough pw" },
    });
    assert.equal(res.status, 200);
    const event = await client.next(isOp(6));
    assert.equal((event.d as { cert: string }).cert, await res.text());
    client.socket.close();
  });
});

describe("resume", () => {
  test("a dropped connection resumed gets every missed event exactly once, in order", async () => {
    const { token } = await loginActor(server, "resumer", "s1");
    const client = await TestGatewayClient.connect(server);
    await client.identify(token);
    await server.app.services.gateway.publish("actor:resumer@gw.test", "core", 3, { cert: "before" });
    const seen = await client.next((f) => f.op === 3);
    client.socket.terminate(); // dropped, no close handshake
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 5; i++) await server.app.services.gateway.publish("actor:resumer@gw.test", "core", 3, { cert: `missed ${i}` });
    const again = await TestGatewayClient.connect(server);
    again.send({ n: "core", op: 5, d: { s: seen.s, token } });
    const resumed = await again.next(isOp(10));
    const events = resumed.d as Frame[];
    assert.deepEqual(
      events.map((f) => [f.s, (f.d as { cert: string }).cert]),
      [0, 1, 2, 3, 4].map((i) => [(seen.s as number) + 1 + i, `missed ${i}`]),
    );
    // Sequence numbers continue across the resume.
    await server.app.services.gateway.publish("actor:resumer@gw.test", "core", 3, { cert: "after" });
    const next = await again.next((f) => f.op === 3 && (f.d as { cert: string }).cert === "after");
    assert.equal(next.s, (seen.s as number) + 6);
    again.socket.close();
  });

  test("Resume with an unknown session closes with 4010; beyond the buffer too", async () => {
    const small = await startTestServer({ env: { P2_DOMAIN: "gw2.test" }, gateway: { resume: { maxEvents: 2, maxAgeMs: 60_000 } } });
    try {
      const { token } = await loginActor(small, "r", "s1");
      const fresh = await TestGatewayClient.connect(small);
      fresh.send({ n: "core", op: 5, d: { s: 0, token } });
      assert.equal(await fresh.closeCode(), 4010, "no gateway session yet");
      const client = await TestGatewayClient.connect(small);
      await client.identify(token);
      client.socket.terminate();
      for (let i = 0; i < 5; i++) await small.app.services.gateway.publish("actor:r@gw2.test", "core", 3, { cert: `${i}` });
      const late = await TestGatewayClient.connect(small);
      late.send({ n: "core", op: 5, d: { s: 0, token } });
      assert.equal(await late.closeCode(), 4010);
      const future = await TestGatewayClient.connect(small);
      future.send({ n: "core", op: 5, d: { s: 99, token } });
      assert.equal(await future.closeCode(), 4007);
    } finally {
      await small.close();
    }
  });
});

describe("limits", () => {
  test("too many frames close with 4008", async () => {
    const limited = await startTestServer({ env: { P2_DOMAIN: "gw3.test" }, gateway: { rateLimit: { frames: 5, windowMs: 60_000 } } });
    try {
      const { token } = await loginActor(limited, "spam", "s1");
      const client = await TestGatewayClient.connect(limited);
      await client.identify(token);
      for (let i = 0; i < 10; i++) client.send({ n: "core", op: 0, d: {} });
      assert.equal(await client.closeCode(), 4008);
    } finally {
      await limited.close();
    }
  });

  test("a consumer that falls behind is closed with resumable 4009 and can resume", async () => {
    const tight = await startTestServer({ env: { P2_DOMAIN: "gw4.test" }, gateway: { maxBufferedBytes: 64 * 1024 } });
    try {
      const { token } = await loginActor(tight, "slow", "s1");
      const client = await TestGatewayClient.connect(tight);
      await client.identify(token);
      const socket = (client.socket as unknown as { _socket: import("node:net").Socket })._socket;
      socket.pause();
      const big = "y".repeat(64 * 1024);
      for (let i = 0; i < 200; i++) await tight.app.services.gateway.publish("actor:slow@gw4.test", "core", 3, { cert: big });
      socket.resume();
      assert.equal(await client.closeCode(5000), 4009);
      const last = Math.max(...client.frames.map((f) => f.s ?? -1));
      const again = await TestGatewayClient.connect(tight);
      again.send({ n: "core", op: 5, d: { s: last, token } });
      const resumed = await again.next(isOp(10), 5000);
      assert.equal((resumed.d as Frame[]).at(-1)?.s, 200, "ready was 0; the 200 events are 1..200");
      again.socket.close();
    } finally {
      await tight.close();
    }
  });
});

test("an internal failure while identifying closes with 4000, and the server keeps serving", async () => {
  const broken = await startTestServer({ env: { P2_DOMAIN: "gw5.test" } });
  try {
    broken.app.services.gateway.addTopicSource(async () => {
      throw new Error("topic source failed");
    });
    const { token } = await loginActor(broken, "unlucky", "s1");
    const client = await TestGatewayClient.connect(broken);
    client.send({ n: "core", op: 2, d: { token } });
    assert.equal(await client.closeCode(), 4000);
    assert.equal((await fetch(`${broken.url}/healthz`)).status, 200);
  } finally {
    await broken.close();
  }
});

describe("polling", () => {
  test("GET /events returns events after `after` for clients without a socket", async () => {
    const { token } = await loginActor(server, "poller", "s1");
    const get = (query: string) => fetch(`${server.url}/.p2/core/v1/events${query}`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await (await get("?services=chat")).json(), { events: [] });
    await server.app.services.gateway.publish("actor:poller@gw.test", "chat", 0, { a: 1 });
    await server.app.services.gateway.publish("actor:poller@gw.test", "core", 3, { cert: "x" });
    const { events } = (await (await get("")).json()) as { events: Frame[] };
    assert.deepEqual(events.map((f) => [f.n, f.op, f.s]), [["chat", 0, 0], ["core", 3, 1]]);
    assert.deepEqual(((await (await get("?after=0")).json()) as { events: Frame[] }).events.map((f) => f.s), [1]);
    assert.equal((await fetch(`${server.url}/.p2/core/v1/events`)).status, 401);
    assert.equal((await fetch(`${server.url}/.p2/core/v1/gateway`)).status, 426);
  });
});

test("unknown upgrade paths are refused", async () => {
  const socket = new WebSocket(`${server.url.replace("http", "ws")}/elsewhere`);
  const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
  assert.match(error.message, /404/);
});
