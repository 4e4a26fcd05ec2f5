/**
 * bench/gateway — the WebSocket gateway on the in-process bus, loopback, this machine:
 *  - RSS per idle authenticated connection at 1,000 and 10,000 connections (after a forced GC);
 *  - fanout latency p50/p99 of one event to 100, 1,000 and 5,000 subscribers;
 *  - deliveries/s (events to 100 subscribers, as fast as they are taken).
 * The server and the clients are separate processes; clients negotiate no compression.
 * Targets (issue: gateway): ≤ 10 KiB per idle connection, p99 ≤ 25 ms at 1,000 and ≤ 100 ms at
 * 5,000 subscribers, ≥ 200,000 deliveries/s.
 */

import { percentile, printFigure } from "./measure.js";
import { Worker } from "./worker.js";

const phases = (process.env.BENCH_PHASES ?? "rss,fanout,throughput").split(",");
const profile = process.env.BENCH_PROFILE
  ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const server = Worker.start("./gateway/server.ts", {}, ["--expose-gc", ...profile]);
const { url } = await server.ready;
const clients = Worker.start("./gateway/clients.ts");
await clients.ready;
console.log(`bench/gateway — Node ${process.version}, server and clients in separate processes`);

// 1. RSS per idle authenticated connection.
if (phases.includes("rss")) {
  const idleTokens = await server.call<string[]>({ cmd: "tokens", group: "idle", count: 10_000 });
  const base = await server.call<{ rss: number }>({ cmd: "rss" });
  await clients.call({ cmd: "connect", url, tokens: idleTokens.slice(0, 1000) });
  const at1k = await server.call<{ rss: number; connections: number }>({ cmd: "rss" });
  printFigure(
    "RSS per idle connection at 1,000 (KiB)",
    (at1k.rss - base.rss) / at1k.connections / 1024,
    "KiB",
    { max: 10 },
  );
  await clients.call({ cmd: "connect", url, tokens: idleTokens.slice(1000) });
  const at10k = await server.call<{ rss: number; connections: number }>({ cmd: "rss" });
  printFigure(
    "RSS per idle connection at 10,000 (KiB)",
    (at10k.rss - base.rss) / at10k.connections / 1024,
    "KiB",
    { max: 10 },
  );
  await clients.call({ cmd: "close" });
}

// 2. Fanout latency.
for (const [size, target, gapMs] of [
  [100, undefined, 10],
  [1000, 25, 40],
  [5000, 100, 150],
] as const) {
  if (!phases.includes("fanout")) break;
  const group = `fan${size}`;
  const tokens = await server.call<string[]>({ cmd: "tokens", group, count: size });
  await clients.call({ cmd: "connect", url, tokens });
  await clients.call({ cmd: "reset" });
  const events = 40;
  await server.call({ cmd: "publish", topic: `bench:${group}`, count: events, gapMs });
  await new Promise((r) => setTimeout(r, 500));
  const { received, latencies } = await clients.call<{ received: number; latencies: number[] }>({
    cmd: "report",
  });
  latencies.sort((a, b) => a - b);
  if (received !== events * size) console.log(`  (received ${received} of ${events * size})`);
  printFigure(`fanout to ${size}: p50 (ms)`, percentile(latencies, 50), "ms");
  printFigure(
    `fanout to ${size}: p99 (ms)`,
    percentile(latencies, 99),
    "ms",
    target ? { max: target } : undefined,
  );
  await clients.call({ cmd: "close" });
}

// 3. Deliveries per second: bursts of events to 100 subscribers, as fast as the server takes them.
if (phases.includes("throughput")) {
  const tokens = await server.call<string[]>({ cmd: "tokens", group: "tput", count: 100 });
  await clients.call({ cmd: "connect", url, tokens });
  await clients.call({ cmd: "reset" });
  const events = 20_000;
  const start = performance.now();
  await server.call({ cmd: "publish", topic: "bench:tput", count: events, gapMs: 0, burst: 50 });
  const expected = events * 100;
  let received = 0;
  const deadline = performance.now() + 60_000;
  while (received < expected && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    received = (await clients.call<{ received: number; latencies: number[] }>({ cmd: "report" })).received;
  }
  const seconds = (performance.now() - start) / 1000;
  printFigure("deliveries/s (100 subscribers)", received / seconds, "/s", { min: 200_000 });
  await clients.call({ cmd: "close" });
}

await server.call({ cmd: "exit" }).catch(() => {});
clients.child.kill();
