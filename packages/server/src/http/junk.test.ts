/**
 * Robustness: a few thousand junk requests (seeded; `P2_JUNK_SEED`, `P2_JUNK_REQUESTS`) against one
 * server — every route of its own OpenAPI document, with hostile path, query, header and body values,
 * malformed and oversize bodies, random methods, with and without tokens — plus malformed HTTP on raw
 * sockets. Every answer must be a 4xx (never a 5xx) with the PROFILE §4 error body when it is an error;
 * afterwards the server must still answer correct requests correctly, with its stored data intact.
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createIdCsr, parseIdCert, SigningKey } from "@p2chat/polyproto";
import Database from "better-sqlite3";
import { startTestServer, type TestServer } from "../testing.js";
import {
  type JunkContext,
  type JunkRequest,
  junkRequest,
  operationsOf,
  Random,
  rawJunk,
} from "./junk.test-helper.js";

const SEED = Number(process.env.P2_JUNK_SEED ?? 20250117);
const REQUESTS = Number(process.env.P2_JUNK_REQUESTS ?? 3000);
const RAW_REQUESTS = 60;
const CONCURRENCY = 16;
const PASSWORD = "correct horse battery staple";
const ERROR_CODE = /^P2(CORE|CHAT|MLS)_[A-Z0-9_]+$/;

let server: TestServer;
let port: number;

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body was still streaming after the time limit (a success that streams, e.g. events). */
  readonly streaming?: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Sends one request; resolves with the answer or the client-side error. */
function send(request: JunkRequest): Promise<Answer | Error> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: Answer | Error) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    let outgoing: http.ClientRequest;
    try {
      outgoing = http.request(
        {
          agent,
          host: "127.0.0.1",
          port,
          method: request.method,
          path: request.path,
          // Node's client sends a body of GET, HEAD, DELETE… without a length unless told (not HTTP).
          headers: request.body
            ? { ...request.headers, "content-length": String(request.body.length) }
            : request.headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          const finish = (streaming: boolean) =>
            settle({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
              streaming,
            });
          const timer = setTimeout(() => {
            finish(true);
            response.destroy();
          }, 3000);
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            clearTimeout(timer);
            finish(false);
          });
          response.on("error", () => {
            clearTimeout(timer);
            finish(false);
          });
        },
      );
    } catch (error) {
      settle(error as Error);
      return;
    }
    outgoing.setTimeout(20_000, () => outgoing.destroy(new Error("no answer within 20 s")));
    outgoing.on("error", (error) => settle(error));
    outgoing.end(request.body);
  });
}

/** Writes raw bytes to a fresh connection and reads until the server closes it. */
function sendRaw(text: string): Promise<{ status: number; body: string; raw: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      const raw = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
      const split = raw.indexOf("\r\n\r\n");
      resolve({ status, body: split < 0 ? "" : raw.slice(split + 4), raw });
    });
    socket.write(text, "latin1");
  });
}

/** What is wrong with an answer, or undefined when it is fine. */
function complaint(request: { method: string }, answer: Answer | Error): string | undefined {
  if (answer instanceof Error) return `no answer: ${answer.message}`;
  if (answer.status >= 500 || answer.status < 100)
    return `status ${answer.status}: ${answer.body.toString().slice(0, 300)}`;
  if (answer.status < 400 || request.method === "HEAD") return undefined;
  return errorBodyComplaint(answer.status, answer.body.toString("utf8"));
}

function errorBodyComplaint(status: number, text: string): string | undefined {
  let body: { errcode?: unknown; error?: unknown; message?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${status} without a JSON body: ${JSON.stringify(text.slice(0, 200))}`;
  }
  if (
    body.errcode !== status ||
    typeof body.error !== "string" ||
    !ERROR_CODE.test(body.error) ||
    typeof body.message !== "string"
  ) {
    return `status ${status} with a body not of PROFILE §4: ${text.slice(0, 300)}`;
  }
  return undefined;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function login(
  localName: string,
  sessionId: string,
): Promise<{ token: string; certPem: string; csrPem: string }> {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: `${localName}@a.test`, sessionId });
  const response = await fetch(
    `${server.url}/.p2/auth/v1/login`,
    json({ localName, password: PASSWORD, csr: csr.pem }),
  );
  assert.equal(response.status, 201);
  const body = (await response.json()) as { token: string; idCertPem: string };
  return { token: body.token, certPem: body.idCertPem, csrPem: csr.pem };
}

/** What must survive the junk unchanged: alice's certs, services, key material, and the root. */
async function snapshot(aliceToken: string) {
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, { headers });
    return `${response.status} ${await response.text()}`;
  };
  const certs = (await (await fetch(`${server.url}/.p2/core/v1/idcert/actor/alice@a.test`)).json()) as {
    idCertPem: string;
    invalidatedAt?: number;
  }[];
  const root = (await (await fetch(`${server.url}/.p2/core/v1/idcert/server`)).json()) as {
    idCertPem: string;
  };
  return {
    certs: certs.map((c) => ({ pem: c.idCertPem, invalidatedAt: c.invalidatedAt })),
    root: root.idCertPem,
    services: await get("/.p2/core/v1/services/discover/alice@a.test"),
    keyMaterial: await get("/.p2/core/v1/session/keymaterial", { authorization: `Bearer ${aliceToken}` }),
  };
}

let alice: { token: string; certPem: string; csrPem: string };
let context: JunkContext;

before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "a.test", P2_RATE_LIMITS: "off" } });
  port = Number(new URL(server.url).port);
  // Alice registers first (the administrator); the junk never carries her token or any password.
  for (const localName of ["alice", "mallory"]) {
    const registered = await fetch(
      `${server.url}/.p2/auth/v1/register`,
      json({ localName, password: PASSWORD }),
    );
    assert.equal(registered.status, 201);
  }
  alice = await login("alice", "laptop");
  const auth = { authorization: `Bearer ${alice.token}` };
  const service = await fetch(
    `${server.url}/.p2/core/v1/services`,
    json({ service: { service: "chat", url: "https://chat.b.test" } }, auth),
  );
  assert.equal(service.status, 201);
  const serial = (await parseIdCert(alice.certPem)).serial;
  const material = await fetch(`${server.url}/.p2/core/v1/session/keymaterial`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: `[{"key_data":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----","serialNumber":${serial},"encryptionAlgorithms":["2.16.840.1.101.3.4.1.46"]}]`,
  });
  assert.equal(material.status, 201);
  const mallory = await login("mallory", "junk");
  context = {
    token: mallory.token,
    certPem: mallory.certPem,
    csrPem: mallory.csrPem,
    serial: (await parseIdCert(mallory.certPem)).serial,
  };
});

after(async () => {
  agent.destroy();
  await server.close();
});

test(`${REQUESTS} junk requests (seed ${SEED}) get 4xx answers with PROFILE §4 bodies, then the server still works`, async () => {
  const before = await snapshot(alice.token);
  const document = (await (await fetch(`${server.url}/.p2/openapi.json`)).json()) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, Record<string, unknown>> };
  };
  const operations = operationsOf(document);
  assert.ok(operations.length >= 20, "the OpenAPI document lists the routes");
  const resolve = (schema: Record<string, unknown>): Record<string, unknown> => {
    const ref = schema.$ref;
    if (typeof ref !== "string") return schema;
    const name = ref.split("/").pop() ?? "";
    return document.components?.schemas?.[name] ?? {};
  };

  const random = new Random(SEED);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const request = junkRequest(operations, random, context, resolve);
      const answer = await send(request);
      if (!(answer instanceof Error)) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const problem = complaint(request, answer);
      if (problem && failures.length < 20) failures.push(`${request.description}\n    → ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  for (let i = 0; i < RAW_REQUESTS; i++) {
    const text = rawJunk(random);
    const answer = await sendRaw(text);
    // Some of it is unusual but valid HTTP (absolute-form URIs, many headers): any non-5xx answer.
    const problem =
      answer.status < 100 || answer.status >= 500
        ? `status ${answer.status}: ${JSON.stringify(answer.raw.slice(0, 200))}`
        : answer.status >= 400
          ? errorBodyComplaint(answer.status, answer.body)
          : undefined;
    if (problem && failures.length < 20)
      failures.push(`raw ${JSON.stringify(text.slice(0, 80))}\n    → ${problem}`);
  }

  const seen = [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  assert.deepEqual(failures, [], `seed ${SEED}; statuses seen: ${seen}`);
  assert.ok((statuses.get(400) ?? 0) > REQUESTS / 10, `mostly refused as invalid: ${seen}`);
  assert.ok(
    (statuses.get(401) ?? 0) > 0 && (statuses.get(413) ?? 0) > 0,
    `auth and size limits hit: ${seen}`,
  );

  // Still up, still right.
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  const again = await login("alice", "phone");
  const certs = (await (await fetch(`${server.url}/.p2/core/v1/idcert/actor/alice@a.test`)).json()) as {
    idCertPem: string;
  }[];
  assert.ok(
    certs.some((c) => c.idCertPem === again.certPem),
    "GET /idcert/actor returns the new cert",
  );
  assert.ok(
    certs.some((c) => c.idCertPem === alice.certPem),
    "and the one from before the junk",
  );

  const afterwards = await snapshot(alice.token);
  assert.deepEqual(
    { ...afterwards, certs: afterwards.certs.filter((c) => c.pem !== again.certPem) },
    before,
    "alice's certs, services and key material, and the root, are unchanged",
  );
  const database = new Database(join(server.config.dataDir, "p2.sqlite"), { readonly: true });
  try {
    assert.equal(database.pragma("integrity_check", { simple: true }), "ok");
  } finally {
    database.close();
  }
});
