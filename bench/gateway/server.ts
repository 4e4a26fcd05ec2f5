/**
 * The server side of bench/gateway: a home server on a temporary SQLite database, run as a child
 * process (so its RSS is its own) and driven over IPC by bench/gateway.ts. Started with
 * --expose-gc so RSS can be read after a forced collection.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../packages/server/src/app.js";
import { loadConfig } from "../../packages/server/src/config.js";
import { openStorage } from "../../packages/server/src/storage/storage.js";

type Command =
  | { cmd: "tokens"; group: string; count: number }
  | { cmd: "rss" }
  | { cmd: "publish"; topic: string; count: number; gapMs: number; burst?: number }
  | { cmd: "stats" }
  | { cmd: "exit" };

const dataDir = await mkdtemp(join(tmpdir(), "p2-bench-gw-"));
const config = loadConfig(
  ["--port", "0", "--data-dir", dataDir, "--domain", "bench.test", "--rate-limits", "off"],
  {},
);
const storage = openStorage({ dataDir });
await storage.migrate();
const app = await buildApp({
  config,
  storage,
  // Idle connections must stay idle for the whole run: no heartbeat deadline gets in the way.
  gateway: { heartbeatIntervalMs: 30 * 60 * 1000 },
});
const { gateway, sessions } = app.services;
// Every session of group <g> (its actor is `<g>-<i>@bench.test`) listens on topic `bench:<g>`.
gateway.addTopicSource(async (session) => [`bench:${session.fid.split("-")[0]}`]);
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
const port = typeof address === "object" && address ? address.port : 0;

const now = () => performance.timeOrigin + performance.now();

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "tokens": {
      const tokens: string[] = [];
      const expiresAt = Date.now() + 24 * 3600 * 1000;
      for (let i = 0; i < command.count; i++) {
        tokens.push(
          await sessions.grantLocal({
            fid: `${command.group}-${i}@bench.test`,
            certSerial: String(i + 1),
            sessionId: "s1",
            expiresAt,
          }),
        );
      }
      return tokens;
    }
    case "rss": {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      return { rss: process.memoryUsage().rss, ...gateway.stats() };
    }
    case "publish": {
      const burst = command.burst ?? 1;
      for (let i = 0; i < command.count; i += burst) {
        for (let j = 0; j < burst; j++)
          await gateway.publish(command.topic, "chat", 0, { t: now(), i: i + j });
        await new Promise((r) => (command.gapMs > 0 ? setTimeout(r, command.gapMs) : setImmediate(r)));
      }
      return { published: command.count };
    }
    case "stats":
      return gateway.stats();
    case "exit":
      await app.close();
      await storage.close();
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on("message", (message: { id: number; command: Command }) => {
  handle(message.command).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.send?.({ ready: true, url: `ws://127.0.0.1:${port}/.p2/core/v1/gateway` });
