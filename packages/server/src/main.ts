/**
 * The home server process: `npm start` (node --import tsx packages/server/src/main.ts [flags]).
 *
 * Loads the configuration, creates the data directory, opens the database and migrates it, then
 * serves. On SIGTERM or SIGINT it stops accepting connections, lets in-flight requests finish, closes
 * the database cleanly and exits 0; if draining takes longer than SHUTDOWN_TIMEOUT_MS it exits 1.
 */
import { mkdir } from "node:fs/promises";
import { pino } from "pino";
import { buildApp } from "./app.js";
import { ConfigError, describeOptions, loadConfig } from "./config.js";
import { openStorage } from "./storage/storage.js";

const SHUTDOWN_TIMEOUT_MS = 10_000;

function printHelp(): void {
  const rows = describeOptions().map(
    (row) => `  ${row.flag.padEnd(22)} ${row.env.padEnd(22)} ${row.doc} [${row.default}]`,
  );
  process.stdout.write(
    `Usage: npm start -- [--config file.json] [--flag value ...]\n\nOptions (flag, environment variable, meaning [default]):\n${rows.join("\n")}\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes("--help")) return printHelp();

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`p2 server: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }

  const logger = pino({ level: config.logLevel, base: { domain: config.domain } });
  await mkdir(config.dataDir, { recursive: true });
  const storage = openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: (error) => logger.warn({ err: error }, "database connection error"),
  });
  await storage.migrate();
  logger.info({ dataDir: config.dataDir, database: storage.dialect }, "database ready");

  const app = await buildApp({ config, storage, logger });
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining requests");
    setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    // Fastify's close stops the listener, answers new requests on open connections with 503, waits
    // for in-flight ones and closes idle keep-alive connections.
    await app.close();
    await storage.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  await app.listen({ port: config.port, host: config.host });
  logger.info({ publicUrl: config.publicUrl }, "home server started");
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `p2 server: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
