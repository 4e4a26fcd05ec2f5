// main.ts as a real process: starts on a temp data dir, serves, stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { SQLITE_FILE_NAME } from "./storage/database.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const MAIN = join(REPO_ROOT, "packages/server/src/main.ts");

/** The environment without any P2_ variable of the machine running the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("P2_")));
}

interface Running {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startMain(args: string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit({ code, signal }));
  });
  return { child, stderr: () => stderr, exited };
}

/** Resolves the URL from pino's "Server listening at …" line; rejects if the process ends first. */
function listeningUrl(running: Running, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let buffered = "";
    const timer = setTimeout(
      () => reject(new Error(`no listening line; stderr: ${running.stderr()}`)),
      timeoutMs,
    );
    running.child.stdout?.on("data", (chunk) => {
      buffered += chunk;
      const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    });
    running.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${running.stderr()}`));
    });
  });
}

describe("main.ts process", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "p2-main-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("serves /healthz, then drains and exits 0 on SIGTERM leaving an intact database", async () => {
    const running = startMain(["--port", "0", "--data-dir", join(dataDir, "nested")]);
    try {
      const url = await listeningUrl(running);
      const response = await fetch(`${url}/healthz`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: "ok" });
      running.child.kill("SIGTERM");
      assert.deepEqual(await running.exited, { code: 0, signal: null });
    } finally {
      running.child.kill("SIGKILL");
    }

    const file = join(dataDir, "nested", SQLITE_FILE_NAME);
    // A clean close checkpoints the write-ahead log into the file.
    assert.equal(existsSync(`${file}-wal`), false);
    const reopened = new SQLite(file, { readonly: true, fileMustExist: true });
    try {
      assert.equal(reopened.pragma("integrity_check", { simple: true }), "ok");
      const migrations = reopened.prepare("select name from kysely_migration order by name").all();
      // Every migration file ran (and nothing else): the list follows migrations/ as it grows.
      const files = readdirSync(join(REPO_ROOT, "packages/server/src/storage/migrations"))
        .filter((name) => /^\d{4}_\w+\.ts$/.test(name))
        .sort()
        .map((name) => ({ name: name.slice(0, -".ts".length) }));
      assert.ok(files.some((file) => file.name === "0001_core"));
      assert.deepEqual(migrations, files);
    } finally {
      reopened.close();
    }
  });

  it("starts again on the same data directory", async () => {
    const running = startMain(["--port", "0", "--data-dir", join(dataDir, "nested")]);
    try {
      const url = await listeningUrl(running);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      running.child.kill("SIGINT");
      assert.deepEqual(await running.exited, { code: 0, signal: null });
    } finally {
      running.child.kill("SIGKILL");
    }
  });

  it("reports an invalid option in one clear line and exits 1", async () => {
    const running = startMain(["--port", "eighty", "--data-dir", dataDir]);
    const { code } = await running.exited;
    assert.equal(code, 1);
    assert.match(
      running.stderr(),
      /p2 server: invalid configuration:\n\s+--port "eighty": expected an integer/,
    );
    assert.doesNotMatch(running.stderr(), /\n\s+at /, "no stack trace");
  });
});
