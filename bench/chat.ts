/**
 * bench/chat — the message side of chat, end to end on this machine. A home server in a child process
 * (SQLite, P2_RATE_LIMITS=off), one guild channel, 100 listeners on the gateway subscribed to `chat`
 * (a second child process), senders in a third child process that sign every message with polyproto's
 * `signEnvelope` and POST it over keep-alive connections. Figures:
 *  - signed messages accepted/s with 1 and with 16 concurrent senders (the 100 listeners get every one);
 *  - POST latency p50/p99 with one sender;
 *  - fanout p99: from the server accepting a POST (the Message's receivedAt) to a listener receiving it;
 *  - history (GET 50 messages) p50/p99.
 * Then the same on PostgreSQL when P2_TEST_DATABASE_URL names a server (a fresh database, dropped after).
 * Targets (SQLite, 2 cores): ≥ 3,000 messages/s with 16 senders, POST p99 ≤ 20 ms, fanout p99 ≤ 25 ms,
 * history p99 ≤ 10 ms. BENCH_SECONDS (default 3) per throughput figure; BENCH_PROFILE=<dir> writes the
 * server's CPU profile there.
 */

import { fileURLToPath } from "node:url";
import { createTestDatabase } from "../packages/server/src/storage/testing.js";
import { percentile, printFigure } from "./measure.js";
import { Worker } from "./worker.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 100);

interface SendResult {
  accepted: number;
  /** Warm-up included. */
  total: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function waitForDeliveries(listeners: Worker, expected: number): Promise<number> {
  const deadline = performance.now() + 10_000;
  let received = 0;
  while (performance.now() < deadline) {
    received = (await listeners.call<{ received: number }>({ cmd: "report" })).received;
    if (received >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received;
}

async function run(label: string, env: Record<string, string>): Promise<void> {
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  if (process.env.BENCH_SQLPROF)
    profile.push("--import", fileURLToPath(new URL("./chat/sqlTimes.ts", import.meta.url)));
  const server = Worker.start("./chat/server.ts", env, profile);
  const { url } = await server.ready;
  const senders = Worker.start("./chat/senders.ts");
  const listeners = Worker.start("./chat/listeners.ts");
  await Promise.all([senders.ready, listeners.ready]);
  console.log(
    `bench/chat on ${label} — Node ${process.version}, server, senders and listeners in separate processes`,
  );

  await senders.call({ cmd: "setup", url, senders: 16 });
  const tokens = await server.call<string[]>({ cmd: "tokens", prefix: "listener", count: LISTENERS });
  await senders.call({ cmd: "join", tokens });
  await listeners.call({ cmd: "connect", url: `${url!.replace("http", "ws")}/.p2/core/v1/gateway`, tokens });
  const target = label === "SQLite";

  // 1. One sender, back to back: throughput and POST latency.
  await listeners.call({ cmd: "reset", record: false });
  await server.call({ cmd: "cpu" });
  // A longer warm-up: the first phase also pays for the JIT compiling the server's hot paths.
  const one = await senders.call<SendResult>({ cmd: "send", concurrency: 1, seconds, warmupSeconds: 2 });
  const cpuOne = await server.call<number>({ cmd: "cpu" });
  printFigure("messages/s, 1 sender", one.perSecond, "/s");
  console.log(`${"".padEnd(48)} server CPU ${((cpuOne / one.total) * 1000).toFixed(0)} µs/message`);
  printFigure("POST latency p50, 1 sender (ms)", one.p50, "ms");
  printFigure("POST latency p99, 1 sender (ms)", one.p99, "ms", target ? { max: 20 } : undefined);

  // 2. Sixteen senders at once.
  await listeners.call({ cmd: "reset", record: false });
  await server.call({ cmd: "cpu" });
  const started = performance.now();
  const many = await senders.call<SendResult>({ cmd: "send", concurrency: 16, seconds, warmupSeconds: 1 });
  const cpuMany = await server.call<number>({ cmd: "cpu" });
  const wall = performance.now() - started;
  printFigure("messages/s, 16 senders", many.perSecond, "/s", target ? { min: 3000 } : undefined);
  console.log(
    `${"".padEnd(48)} POST p50 ${many.p50.toFixed(1)} ms, p99 ${many.p99.toFixed(1)} ms; server CPU ${(
      (cpuMany / wall) * 100
    ).toFixed(0)}% of a core, ${((cpuMany / many.total) * 1000).toFixed(0)} µs/message`,
  );

  // The baseline: an authenticated GET of the channel (session, the guild side's access check, JSON).
  await server.call({ cmd: "cpu" });
  const baseline = await senders.call<{ total: number }>({
    cmd: "get",
    path: "/.p2/chat/v1/channels/{channelId}",
    concurrency: 16,
    seconds: 2,
  });
  const cpuBaseline = await server.call<number>({ cmd: "cpu" });
  console.log(
    `${"".padEnd(48)} (baseline: GET /channels/{id} costs the server ${((cpuBaseline / baseline.total) * 1000).toFixed(0)} µs)`,
  );

  // 3. Fanout: one sender, paced, every message to 100 listeners.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await listeners.call({ cmd: "reset", record: true });
  const paced = await senders.call<SendResult>({
    cmd: "send",
    concurrency: 1,
    seconds: 60,
    warmupSeconds: 0,
    gapMs: 10,
    count: 200,
  });
  const received = await waitForDeliveries(listeners, paced.accepted * LISTENERS);
  const { latencies } = await listeners.call<{ latencies: number[] }>({ cmd: "report" });
  latencies.sort((a, b) => a - b);
  if (received !== paced.accepted * LISTENERS)
    console.log(`  (received ${received} of ${paced.accepted * LISTENERS})`);
  printFigure(`fanout to ${LISTENERS}: p50 (ms)`, percentile(latencies, 50), "ms");
  printFigure(
    `fanout to ${LISTENERS}: p99 (ms)`,
    percentile(latencies, 99),
    "ms",
    target ? { max: 25 } : undefined,
  );

  // 4. History pages of 50.
  const history = await senders.call<{ p50: number; p99: number }>({ cmd: "history", requests: 1000 });
  printFigure("history (50 messages) p50 (ms)", history.p50, "ms");
  printFigure("history (50 messages) p99 (ms)", history.p99, "ms", target ? { max: 10 } : undefined);

  await listeners.call({ cmd: "close" });
  listeners.child.kill();
  await senders.call({ cmd: "exit" }).catch(() => {});
  await server.call({ cmd: "exit" }).catch(() => {});
}

await run("SQLite", {});
const adminUrl = process.env.P2_TEST_DATABASE_URL;
if (adminUrl) {
  const database = await createTestDatabase(adminUrl);
  try {
    await run("PostgreSQL", { P2_BENCH_DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
}
