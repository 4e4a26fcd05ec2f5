import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, DEFAULTS, describeOptions, loadConfig } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "p2-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError message of loading these arguments (fails the test if nothing is thrown). */
function problem(argv: string[], env: Record<string, string> = {}): string {
  try {
    loadConfig(argv, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  it("runs on defaults alone", () => {
    assert.deepEqual(loadConfig([], {}), {
      domain: "localhost",
      host: "127.0.0.1",
      port: 3000,
      dataDir: resolve("./data"),
      peers: {},
      registration: "open",
      rateLimits: true,
      logLevel: "info",
      bodyLimit: 1048576,
      certValidityDays: 30,
      cacheTtlSeconds: 21600,
      keyMaterialMaxBytes: 10240,
      messageMaxChars: 4000,
      attachmentMaxBytes: 26214400,
      attachmentTypes: DEFAULTS.attachmentTypes,
      publicUrl: "http://127.0.0.1:3000",
    });
  });

  it("lets the environment override the file and flags override both", () => {
    const file = configFile("precedence.json", {
      port: 4000,
      domain: "file.example",
      registration: "closed",
    });
    const env = { P2_CONFIG: file, P2_PORT: "5000", P2_REGISTRATION: "invite" };
    const config = loadConfig(["--port", "6000"], env);
    assert.equal(config.port, 6000);
    assert.equal(config.registration, "invite");
    assert.equal(config.domain, "file.example");
    assert.equal(loadConfig([], env).port, 5000);
    assert.equal(loadConfig([], { P2_CONFIG: file }).port, 4000);
  });

  it("takes --config over P2_CONFIG and --flag=value forms", () => {
    const a = configFile("a.json", { domain: "a.example" });
    const b = configFile("b.json", { domain: "b.example" });
    assert.equal(loadConfig([`--config=${b}`], { P2_CONFIG: a }).domain, "b.example");
    assert.equal(loadConfig(["--config", b, "--port=0"], {}).port, 0);
  });

  it("parses every kind of value from strings", () => {
    const config = loadConfig(
      [
        "--database-url",
        "postgres://p2:p2@127.0.0.1:5432/p2",
        "--redis-url",
        "redis://127.0.0.1:6379",
        "--rate-limits",
        "off",
        "--cert-validity-days",
        "60",
      ],
      {
        P2_DOMAIN: "Example.CHAT",
        P2_PEERS: '{"B.test":"http://127.0.0.1:4102"}',
        P2_LOG_LEVEL: "debug",
        P2_BODY_LIMIT: "2048",
        P2_CACHE_TTL_SECONDS: "3600",
        P2_DATA_DIR: "relative/dir",
        P2_PUBLIC_URL: "https://chat.example/",
      },
    );
    assert.equal(config.domain, "example.chat");
    assert.deepEqual(config.peers, { "b.test": "http://127.0.0.1:4102" });
    assert.equal(config.databaseUrl, "postgres://p2:p2@127.0.0.1:5432/p2");
    assert.equal(config.redisUrl, "redis://127.0.0.1:6379");
    assert.equal(config.rateLimits, false);
    assert.equal(config.logLevel, "debug");
    assert.equal(config.bodyLimit, 2048);
    assert.equal(config.certValidityDays, 60);
    assert.equal(config.cacheTtlSeconds, 3600);
    assert.equal(config.dataDir, resolve("relative/dir"));
    assert.equal(config.publicUrl, "https://chat.example");
  });

  it("derives the public URL from host and port", () => {
    assert.equal(loadConfig(["--host", "::1", "--port", "8080"], {}).publicUrl, "http://[::1]:8080");
  });

  it("treats empty environment variables as unset", () => {
    const config = loadConfig([], { P2_DATABASE_URL: "", P2_PORT: "" });
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.port, 3000);
  });

  it("names the source and the expectation of every invalid value", () => {
    const message = problem(["--port", "http"], {
      P2_REGISTRATION: "sometimes",
      P2_CACHE_TTL_SECONDS: "60",
      P2_RATE_LIMITS: "maybe",
      P2_DATABASE_URL: "mysql://x",
    });
    assert.match(message, /--port "http": expected an integer from 0 to 65535/);
    assert.match(message, /P2_REGISTRATION="sometimes": expected open, invite or closed/);
    assert.match(message, /P2_CACHE_TTL_SECONDS="60": expected an integer from 3600 to 43200/);
    assert.match(message, /P2_RATE_LIMITS="maybe": expected on or off/);
    assert.match(message, /P2_DATABASE_URL="mysql:\/\/x": expected a postgres:\/\/ URL/);
  });

  it("rejects values out of range, bad domains, peers and URLs", () => {
    assert.match(problem([], { P2_PORT: "65536" }), /P2_PORT/);
    assert.match(problem([], { P2_CERT_VALIDITY_DAYS: "61" }), /P2_CERT_VALIDITY_DAYS="61"/);
    assert.match(problem([], { P2_BODY_LIMIT: "0" }), /P2_BODY_LIMIT/);
    assert.match(
      problem([], { P2_DOMAIN: "-bad-.example" }),
      /P2_DOMAIN="-bad-.example": not a valid domain name/,
    );
    assert.match(problem([], { P2_PEERS: "not json" }), /P2_PEERS="not json": expected a JSON object/);
    assert.match(problem([], { P2_PEERS: '{"b.test":"ftp://x"}' }), /P2_PEERS/);
    assert.match(problem([], { P2_PEERS: '{"b..test":"http://x"}' }), /not a domain name: b..test/);
    assert.match(problem([], { P2_PUBLIC_URL: "chat.example" }), /P2_PUBLIC_URL/);
    assert.match(problem([], { P2_LOG_LEVEL: "loud" }), /P2_LOG_LEVEL="loud": expected fatal, error/);
  });

  it("rejects invalid values in the config file, naming the file", () => {
    const file = configFile("bad.json", { port: "3000" });
    assert.match(problem(["--config", file]), new RegExp(`port in ${file}: expected an integer`));
  });

  it("rejects unknown flags, missing flag values, stray arguments and unknown file keys", () => {
    assert.match(problem(["--prot", "1"]), /unknown flag --prot/);
    assert.match(problem(["--port"]), /flag --port needs a value/);
    assert.match(problem(["serve"]), /unexpected argument "serve"/);
    assert.match(problem(["--config", configFile("typo.json", { prot: 1 })]), /unknown option "prot"/);
  });

  it("reports unreadable and malformed config files", () => {
    assert.match(problem(["--config", join(dir, "missing.json")]), /cannot read config file/);
    assert.match(problem(["--config", configFile("broken.json", "{port:")]), /is not valid JSON/);
    assert.match(problem(["--config", configFile("array.json", [])]), /must hold a JSON object/);
  });

  it("reads the message and attachment limits", () => {
    const config = loadConfig(["--message-max-chars", "500"], {
      P2_ATTACHMENT_MAX_BYTES: "1024",
      P2_ATTACHMENT_TYPES: "image/png, Text/*,*",
    });
    assert.equal(config.messageMaxChars, 500);
    assert.equal(config.attachmentMaxBytes, 1024);
    assert.deepEqual(config.attachmentTypes, ["image/png", "text/*", "*"]);
    assert.match(problem([], { P2_ATTACHMENT_TYPES: "image/png,not a type" }), /P2_ATTACHMENT_TYPES/);
    assert.match(problem(["--message-max-chars", "0"]), /--message-max-chars/);
  });

  it("documents every option", () => {
    const rows = describeOptions();
    assert.equal(rows.length, 18);
    assert.deepEqual(
      rows.find((row) => row.env === "P2_PORT"),
      {
        env: "P2_PORT",
        flag: "--port",
        default: "3000",
        doc: "port to listen on (0: any free port)",
      },
    );
  });
});
