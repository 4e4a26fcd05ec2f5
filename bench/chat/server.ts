/**
 * The server side of bench/chat: a home server (SQLite in a temporary directory, or the PostgreSQL
 * database named by P2_BENCH_DATABASE_URL) with rate limits off and no logging, run as a child
 * process so it has a core of its own, driven over IPC by bench/chat.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../packages/server/src/app.js";
import { loadConfig } from "../../packages/server/src/config.js";
import { openStorage } from "../../packages/server/src/storage/storage.js";

type Command = { cmd: "tokens"; prefix: string; count: number } | { cmd: "cpu" } | { cmd: "exit" };

const dataDir = await mkdtemp(join(tmpdir(), "p2-bench-chat-"));
const databaseUrl = process.env.P2_BENCH_DATABASE_URL || undefined;
const config = loadConfig(
  ["--port", "0", "--data-dir", dataDir, "--domain", "bench.test", "--rate-limits", "off"],
  databaseUrl ? { P2_DATABASE_URL: databaseUrl } : {},
);
const storage = openStorage({ dataDir, databaseUrl });
await storage.migrate();
// Listeners stay connected for the whole run: no heartbeat deadline gets in the way.
const app = await buildApp({ config, storage, gateway: { heartbeatIntervalMs: 30 * 60 * 1000 } });
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
const port = typeof address === "object" && address ? address.port : 0;
let cpuMark = process.cpuUsage();

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "tokens": {
      // Listeners only need a token and a membership, not a cert of their own.
      const tokens: string[] = [];
      for (let i = 0; i < command.count; i++) {
        tokens.push(
          await app.services.sessions.grantLocal({
            fid: `${command.prefix}${i}@bench.test`,
            certSerial: String(900_000 + i),
            sessionId: "listener",
            expiresAt: Date.now() + 24 * 3600 * 1000,
          }),
        );
      }
      return tokens;
    }
    case "cpu": {
      // CPU ms used by the server since the last call (user + system).
      const used = process.cpuUsage(cpuMark);
      cpuMark = process.cpuUsage();
      return (used.user + used.system) / 1000;
    }
    case "exit":
      await app.close();
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
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
process.send?.({ ready: true, url: `http://127.0.0.1:${port}` });
