/** @p2chat/server — the home server as a library: for end-to-end tests and embedding. */
export { type App, type AppOptions, buildApp } from "./app.js";
export { type Config, ConfigError, loadConfig } from "./config.js";
export { type ErrorBody, P2Error, type P2ErrorCode } from "./http/errors.js";
export { openStorage, type Storage, type Stores } from "./storage/storage.js";
export { type TestServer, type TestServerOptions, startTestServer } from "./testing.js";
