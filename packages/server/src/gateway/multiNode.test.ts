// One home server as two processes on one PostgreSQL and one Redis: events cross nodes, and a
// client that drops from node 1 resumes on node 2 without missing anything.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createIdCsr, SigningKey } from "@p2chat/polyproto";
import WebSocket from "ws";
import { createTestDatabase } from "../storage/testing.js";
import { type ServerProcess, startServerProcess } from "../testProcess.js";
import { type Frame, TestGatewayClient } from "./testClient.test-helper.js";

const databaseAdmin = process.env.P2_TEST_DATABASE_URL;
const redisUrl = process.env.P2_TEST_REDIS_URL;
const skip = !databaseAdmin || !redisUrl ? "needs P2_TEST_DATABASE_URL and P2_TEST_REDIS_URL" : false;

describe("two nodes on PostgreSQL and Redis", { skip }, () => {
  let node1: ServerProcess;
  let node2: ServerProcess;
  let dataDir: string;
  let dropDatabase: () => Promise<void>;

  before(async () => {
    const database = await createTestDatabase(databaseAdmin!);
    dropDatabase = database.drop;
    dataDir = await mkdtemp(join(tmpdir(), "p2-multinode-"));
    const env = { P2_DOMAIN: "multi.test", P2_DATABASE_URL: database.url, P2_REDIS_URL: redisUrl!, P2_DATA_DIR: dataDir };
    [node1, node2] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([node1?.stop(), node2?.stop()]);
    await dropDatabase?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function login(node: ServerProcess, localName: string, sessionId: string) {
    const post = (path: string, body: unknown) =>
      fetch(`${node.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await post("/.p2/auth/v1/register", { localName, password: "long enough pw" });
    const csr = await createIdCsr({ signingKey: await SigningKey.generate(), fid: `${localName}@multi.test`, sessionId });
    const res = await post("/.p2/auth/v1/login", { localName, password: "long enough pw", csr: csr.pem });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { token: string; idCertPem: string };
  }

  const connect = (node: ServerProcess) => TestGatewayClient.connect({ url: node.url } as never);

  test("both nodes serve the same root", async () => {
    const [a, b] = await Promise.all(
      [node1, node2].map(async (n) => ((await (await fetch(`${n.url}/.p2/core/v1/idcert/server`)).json()) as { idCertPem: string }).idCertPem),
    );
    assert.equal(a, b);
  });

  test("an event raised through node 1 reaches a client on node 2", async () => {
    const first = await login(node1, "alice", "s1");
    const client = await connect(node2);
    await client.identify(first.token);
    const second = await login(node1, "alice", "s2"); // New Session (op 3), published by node 1
    const event = await client.next((f) => f.op === 3);
    assert.deepEqual(event.d, { cert: second.idCertPem });
    client.socket.close();
  });

  test("a client dropped from node 1 resumes on node 2 and misses nothing", async () => {
    const { token } = await login(node2, "bob", "s1");
    const client = await connect(node1);
    await client.identify(token);
    await login(node2, "bob", "s2");
    const seen = await client.next((f) => f.op === 3);
    client.socket.terminate();
    await new Promise((r) => setTimeout(r, 100));
    const missed: string[] = [];
    for (let i = 0; i < 4; i++) missed.push((await login(i % 2 === 0 ? node1 : node2, "bob", `m${i}`)).idCertPem);
    const again = await connect(node2);
    again.send({ n: "core", op: 5, d: { s: seen.s, token } });
    const resumed = await again.next((f) => f.op === 10, 5000);
    const events = resumed.d as Frame[];
    assert.deepEqual(
      events.map((f) => (f.d as { cert: string }).cert),
      missed,
      "every missed New Session, once, in order",
    );
    assert.deepEqual(
      events.map((f) => f.s),
      missed.map((_, i) => (seen.s as number) + 1 + i),
    );
    // Live events keep flowing on node 2, numbered on.
    const later = await login(node1, "bob", "later");
    const live = await again.next((f) => f.op === 3 && (f.d as { cert: string }).cert === later.idCertPem);
    assert.equal(live.s, (seen.s as number) + 5);
    again.socket.close();
  });

  test("Resume for a session no node holds closes with 4010", async () => {
    const { token } = await login(node1, "carol", "s1");
    const client = await connect(node2);
    client.send({ n: "core", op: 5, d: { s: 0, token } });
    assert.equal(await client.closeCode(5000), 4010);
    assert.equal(client.socket.readyState, WebSocket.CLOSED);
  });
});
