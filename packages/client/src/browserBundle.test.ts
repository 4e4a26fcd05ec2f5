/**
 * The browser build: bundled with the `browser` condition, the SDK must pull in no Node module —
 * `#platform/*` picks the browser's WebSocket, the IndexedDB-only store stub and WebCrypto Ed25519.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const entry = join(dirname(fileURLToPath(import.meta.url)), "index.ts");

test("a browser bundle contains no Node built-in, no ws, and the browser variants of every platform file", async () => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    conditions: ["browser"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.deepEqual(
    inputs.filter((input) => /^node:|node_modules\/ws\/|\.node\.ts$/.test(input)),
    [],
  );
  for (const variant of [
    "gateway/webSocket.browser.ts",
    "store/fileStore.browser.ts",
    "platform/ed25519.browser.ts",
  ]) {
    assert.ok(
      inputs.some((input) => input.endsWith(variant)),
      `${variant} is in the bundle`,
    );
  }
  const text = result.outputFiles[0]?.text ?? "";
  assert.doesNotMatch(text, /from\s*"node:|require\("/);
});
