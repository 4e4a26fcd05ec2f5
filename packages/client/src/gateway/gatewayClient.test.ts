/**
 * The gateway client against a scripted server: the delivery guarantees (gaps filled by Heartbeat
 * ACKs, duplicates in ACKs and Resumed dropped, order kept), Heartbeat Request, unknown ops, 4004.
 * The same client against the real server: gateway.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { P2ClientError } from "../errors.js";
import type { DeliveredEvent } from "./events.js";
import { FakeGateway, isOp } from "./fakeGateway.test-helper.js";
import { GatewayClient } from "./gatewayClient.js";

let fake: FakeGateway;
before(async () => {
  fake = await FakeGateway.start();
});
after(() => fake.close());

const ready = (s = 0) => ({
  n: "core",
  op: 12,
  d: { fid: "alice@a.test", sessionId: "s1", services: ["chat", "mls"] },
  s,
});
const chat = (s: number) => ({ n: "chat", op: 0, d: { nth: s }, s });

function client(token = async () => "t1", reauthenticate?: () => Promise<string>) {
  return new GatewayClient({
    domain: "a.test",
    url: fake.url,
    token,
    reauthenticate,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  });
}

test("gaps are filled from Heartbeat ACKs, duplicates dropped, and a resumed session continues in order", async () => {
  const first = fake.connections.length;
  const gateway = client();
  const seen: number[] = [];
  gateway.events.on("chat", (_event, meta) => seen.push(meta.s ?? -1));
  const connecting = gateway.connect();
  const one = await fake.connection(first);
  one.hello(150);
  assert.deepEqual(await one.next(isOp(2)), { n: "core", op: 2, d: { token: "t1" } });
  one.send(ready());
  await connecting;
  one.send(chat(1));
  one.send(chat(3)); // 2 is "lost"
  const heartbeat = await one.next((f) => isOp(0)(f) && Object.keys(f.d).length > 0);
  assert.deepEqual(heartbeat.d, { from: "0", to: "3", except: ["2"] });
  assert.deepEqual(seen, [1], "3 waits for 2");
  one.send({ n: "core", op: 7, d: [chat(2), chat(3)] }); // 3 again: a duplicate
  await gateway.events.next("chat", { filter: (_e, meta) => meta.s === 3, timeoutMs: 2000 });
  assert.deepEqual(seen, [1, 2, 3]);

  one.socket.terminate(); // the connection drops
  const two = await fake.connection(first + 1);
  two.hello(150);
  assert.deepEqual(await two.next(isOp(5)), { n: "core", op: 5, d: { s: 3, token: "t1" } });
  const resumed = gateway.events.next("resumed", { timeoutMs: 2000 });
  two.send({ n: "core", op: 10, d: [chat(3), chat(4), chat(5)] });
  assert.deepEqual((await resumed).payload, { replayed: 2 });
  two.send(chat(6));
  await gateway.events.next("chat", { filter: (_e, meta) => meta.s === 6, timeoutMs: 2000 });
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6], "every event once, in order");
  gateway.close();
});

test("a Heartbeat Request is answered at once and the heartbeat timer keeps its schedule", async () => {
  const first = fake.connections.length;
  const gateway = client();
  const connecting = gateway.connect();
  const one = await fake.connection(first);
  one.hello(1000);
  await one.next(isOp(2));
  one.send(ready());
  await connecting;
  const readyAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 600));
  const requestedAt = Date.now();
  one.send({ n: "core", op: 11, d: {} });
  const answer = await one.next(isOp(0), 500);
  assert.deepEqual(answer.d, { from: "0", to: "0" }, "it reports Ready's s 0");
  assert.ok(Date.now() - requestedAt < 400, "answered at once");
  await one.next(isOp(0), 1500, 1);
  const regularAt = Date.now();
  assert.ok(
    regularAt - readyAt < 1450,
    `the next heartbeat kept the schedule (${regularAt - readyAt} ms after Ready)`,
  );
  assert.deepEqual(
    one.received.filter(isOp(0))[1]?.d,
    {},
    "nothing new: a keep-alive, not the same range twice",
  );
  gateway.close();
});

test("events of ops the SDK does not know keep their place in the sequence", async () => {
  const first = fake.connections.length;
  const gateway = client();
  const events: DeliveredEvent[] = [];
  gateway.events.on("event", (event) => events.push(event));
  const connecting = gateway.connect();
  const one = await fake.connection(first);
  one.hello(150);
  await one.next(isOp(2));
  one.send(ready());
  await connecting;
  one.send({ n: "chat", op: 99, d: { future: true }, s: 1 });
  one.send({ n: "later", op: 1, d: {}, s: 2 });
  one.send({ n: "core", op: 7, d: [{ n: "chat", op: 98, d: {}, s: 3 }] });
  one.send(chat(4));
  const heartbeat = await one.next((f) => isOp(0)(f) && f.d.to === "4");
  assert.deepEqual(heartbeat.d, { from: "0", to: "4" });
  assert.deepEqual(
    events.map((e) => [e.n, e.op, e.s]),
    [
      ["core", 12, 0],
      ["chat", 99, 1],
      ["later", 1, 2],
      ["chat", 98, 3],
      ["chat", 0, 4],
    ],
  );
  gateway.close();
});

test("after 4004 the client gets a new token once and identifies with it", async () => {
  const first = fake.connections.length;
  let token = "old";
  const gateway = client(
    async () => token,
    async () => {
      token = "new";
      return token;
    },
  );
  const connecting = gateway.connect();
  const one = await fake.connection(first);
  one.hello(150);
  await one.next(isOp(2));
  one.socket.close(4004, "token unknown");
  const two = await fake.connection(first + 1);
  two.hello(150);
  assert.deepEqual((await two.next(isOp(2))).d, { token: "new" });
  two.send(ready());
  assert.equal((await connecting).fid, "alice@a.test");
  gateway.close();
});

test("4003 (the session was revoked) stops the client; connect() rejects with the close code", async () => {
  const first = fake.connections.length;
  const gateway = client();
  const connecting = gateway.connect();
  const closed = gateway.events.next("closed", { timeoutMs: 2000 });
  const one = await fake.connection(first);
  one.hello(150);
  await one.next(isOp(2));
  one.socket.close(4003, "the session was revoked");
  await assert.rejects(connecting, (error: P2ClientError) => error.code === "P2CORE_GATEWAY_CLOSED_4003");
  assert.equal((await closed).payload.code, 4003);
  assert.equal(gateway.state, "idle");
  gateway.close();
});

test("a gateway that cannot be reached rejects connect() instead of retrying for ever", async () => {
  const gateway = new GatewayClient({
    domain: "down.test",
    url: "ws://127.0.0.1:9/",
    token: async () => "t",
  });
  await assert.rejects(
    gateway.connect(),
    (error: P2ClientError) => error instanceof P2ClientError && error.code === "P2CLIENT_NETWORK",
  );
  gateway.close();
});
