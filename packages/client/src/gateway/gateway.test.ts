/**
 * The gateway client against the real server (heartbeat interval 300 ms), through a TCP proxy that
 * can drop connections: Identify and Ready, heartbeats keeping the connection alive, Resume after a
 * drop with every missed event delivered once and in order, a fresh Identify after 4010 with the
 * service channels subscribed again, and typed events (op 3 after another login).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "@p2chat/server";
import WebSocket from "ws";
import { P2Client } from "../client.js";
import { PASSWORD } from "../servers.test-helper.js";
import type { SocketFactory } from "./socket.js";
import { TcpProxy } from "./tcpProxy.test-helper.js";
import { openSocket } from "./webSocket.node.js";

const INTERVAL = 300;
let server: TestServer;
let proxy: TcpProxy;
let alice: P2Client;
/** Every frame the client sent and received, in order, as [direction, parsed frame]. */
const wire: ["out" | "in", { n: string; op: number; d: unknown; s?: number }][] = [];

const recordingSocket: SocketFactory = (url, handlers) => {
  const socket = openSocket(url, {
    ...handlers,
    onText: (text) => {
      wire.push(["in", JSON.parse(text)]);
      handlers.onText(text);
    },
  });
  return {
    send: (text) => {
      wire.push(["out", JSON.parse(text)]);
      socket.send(text);
    },
    close: (code, reason) => socket.close(code, reason),
  };
};
const sent = (op: number) =>
  wire.filter(([direction, f]) => direction === "out" && f.n === "core" && f.op === op);
const publish = (n: "core" | "chat", op: number, d: unknown) =>
  server.app.services.gateway.publish("actor:alice@gw.test", n, op, d);

before(async () => {
  server = await startTestServer({
    env: { P2_DOMAIN: "gw.test", P2_RATE_LIMITS: "off" },
    gateway: { heartbeatIntervalMs: INTERVAL },
  });
  proxy = await TcpProxy.start(server.url);
  await P2Client.register({
    homeServer: "gw.test",
    localName: "alice",
    password: PASSWORD,
    servers: { "gw.test": server.url },
  });
  alice = await P2Client.login({
    homeServer: "gw.test",
    localName: "alice",
    password: PASSWORD,
    sessionId: "laptop",
    servers: { "gw.test": proxy.url },
    gateway: { openSocket: recordingSocket, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } },
  });
});
after(async () => {
  await alice.close();
  await proxy.close();
  await server.close();
});

test("Identify is answered by Ready; heartbeats keep the connection alive for many intervals", async () => {
  const disconnects: number[] = [];
  alice.on("disconnected", ({ code }) => disconnects.push(code));
  const ready = await alice.connect();
  assert.deepEqual(ready, { fid: "alice@gw.test", sessionId: "laptop", services: ["chat", "mls"] });
  assert.equal(sent(2).length, 1, "one Identify");
  assert.equal(alice.gateway().state, "ready");
  await new Promise((resolve) => setTimeout(resolve, INTERVAL * 6));
  assert.deepEqual(disconnects, []);
  assert.ok(sent(0).length >= 4, `${sent(0).length} heartbeats in 6 intervals`);
  const acks = wire.filter(([direction, f]) => direction === "in" && f.op === 7 && f.n === "core");
  assert.ok(acks.length >= sent(0).length - 1, "each heartbeat acknowledged");
  assert.deepEqual(sent(0)[0]?.[1].d, { from: "0", to: "0" }, "the first heartbeat reports Ready (s 0)");
  assert.deepEqual(sent(0)[1]?.[1].d, {}, "then keep-alives while nothing arrives");
});

test("another login of the actor arrives as a typed newSession event (op 3) with its cert", async () => {
  await alice.connect();
  const event = alice.next("newSession", { timeoutMs: 3000 });
  const phone = await P2Client.login({
    homeServer: "gw.test",
    localName: "alice",
    password: PASSWORD,
    sessionId: "phone",
    servers: { "gw.test": server.url },
  });
  const { payload, meta } = await event;
  assert.equal(payload.cert.trim(), phone.idCert.pem.trim());
  assert.equal(meta.domain, "gw.test");
  assert.equal(meta.op, 3);
});

test("a dropped connection resumes; every event missed meanwhile arrives once, in order", async () => {
  await alice.connect();
  await alice.subscribe("chat");
  const received: { op: number; d: unknown; s: number }[] = [];
  const offChat = alice.on("chat", ({ op, d }, meta) => received.push({ op, d, s: meta.s ?? -1 }));
  const offCore = alice.on("newSession", (d, meta) => received.push({ op: -3, d, s: meta.s ?? -1 }));
  await publish("chat", 0, { nth: 1 });
  await publish("chat", 0, { nth: 2 });
  await alice.next("chat", { filter: (e) => (e.d as { nth: number }).nth === 2, timeoutMs: 3000 });

  const disconnected = alice.next("disconnected", { timeoutMs: 3000 });
  proxy.cut({ block: true }); // no close frame: the network is gone, and stays so for a while
  assert.equal((await disconnected).payload.reconnecting, true);
  for (let nth = 3; nth <= 7; nth++) await publish("chat", 0, { nth });
  await publish("core", 3, { cert: "missed-cert" });
  await new Promise((resolve) => setTimeout(resolve, 250)); // reconnect attempts are refused meanwhile
  const identifies = sent(2).length;
  const resumed = alice.next("resumed", { timeoutMs: 5000 });
  proxy.unblock();
  assert.deepEqual((await resumed).payload, { replayed: 6 });
  await publish("chat", 0, { nth: 8 });
  await alice.next("chat", { filter: (e) => (e.d as { nth: number }).nth === 8, timeoutMs: 3000 });
  offChat();
  offCore();

  assert.equal(sent(2).length, identifies, "resumed, not identified again");
  const resume = sent(5).at(-1)?.[1].d as { s: number };
  assert.equal(resume.s, received[1]?.s, "Resume asks for what came after the last event delivered");
  assert.deepEqual(
    received.map((r) => (r.op === -3 ? "cert" : (r.d as { nth: number }).nth)),
    [1, 2, 3, 4, 5, 6, 7, "cert", 8],
  );
  const numbers = received.map((r) => r.s);
  for (let i = 1; i < numbers.length; i++)
    assert.equal(numbers[i], numbers[0]! + i, `consecutive s: ${numbers}`);
  assert.equal(alice.gateway().state, "ready");
});

test("4010 (another Identify took the session) leads to a fresh Identify; service channels are subscribed again", async () => {
  await alice.connect();
  await alice.subscribe("chat");
  const readies = alice.events("ready");
  // Someone identifies with the same token: the server ends the client's gateway session with 4010.
  const other = new WebSocket(`${server.url.replace("http", "ws")}/.p2/core/v1/gateway`);
  const otherClosed = new Promise<number>((resolve) => other.on("close", (code) => resolve(code)));
  await new Promise((resolve) => other.once("open", resolve));
  const disconnected = alice.next("disconnected", { timeoutMs: 3000 });
  other.send(JSON.stringify({ n: "core", op: 2, d: { token: await alice.tokenFor("gw.test") } }));
  assert.equal((await disconnected).payload.code, 4010);
  const { value } = await readies.next();
  assert.equal(value?.payload.sessionId, "laptop");
  assert.equal(value?.meta.s, 0, "a new gateway session numbers from 0");
  await readies.return?.();
  assert.equal(await otherClosed, 4010, "the client's Identify took the session back");

  await alice.gateway().subscribe("chat"); // already wanted: resolves once the server acknowledged again
  const chat = alice.next("chat", { timeoutMs: 3000 });
  await publish("chat", 0, { after: "4010" });
  assert.deepEqual((await chat).payload, { op: 0, d: { after: "4010" } });
  assert.deepEqual([...alice.gateway().services], ["chat"]);
});
