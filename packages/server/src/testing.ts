/**
 * A real server on loopback for tests: fresh migrated storage (SQLite in a temp dir unless given),
 * the app built from a config with `env` applied, listening on a free port of 127.0.0.1.
 */
import { type App, buildApp } from "./app.js";
import { type Config, loadConfig } from "./config.js";
import type { GatewayOptions } from "./gateway/hub.js";
import type { Storage } from "./storage/storage.js";
import { openSqliteTestStorage, type TestStorage } from "./storage/testing.js";

export interface TestServer {
  readonly app: App;
  readonly config: Config;
  readonly storage: Storage;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Closes the app (draining requests), then the storage, and removes its files. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** `P2_…` variables for the config (the data dir and port are the test's own). */
  readonly env?: Record<string, string>;
  /** Storage to use instead of a fresh SQLite one (e.g. from `testStorageTargets()`). */
  readonly storage?: TestStorage;
  /** Registers extra routes before the server starts (tests of the HTTP edge). */
  readonly routes?: (app: App) => void | Promise<void>;
  /** Gateway settings beyond the defaults (e.g. a short heartbeat interval). */
  readonly gateway?: Partial<GatewayOptions>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const testStorage = options.storage ?? (await openSqliteTestStorage());
  const config = loadConfig(["--port", "0", "--data-dir", testStorage.dataDir], options.env ?? {});
  const app = await buildApp({ config, storage: testStorage.storage, gateway: options.gateway });
  await options.routes?.(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return {
    app,
    config,
    storage: testStorage.storage,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      await testStorage.cleanup();
    },
  };
}
