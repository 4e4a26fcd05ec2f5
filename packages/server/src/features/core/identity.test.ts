import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createIdCsr, parseIdCert, SigningKey, verifyCacheableIdCert } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "a.test" } });
});
after(() => server.close());

const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function login(localName: string, sessionId: string, password = "correct horse battery") {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: `${localName}@a.test`, sessionId });
  const res = await fetch(`${server.url}/.p2/auth/v1/login`, json({ localName, password, csr: csr.pem }));
  return { res, key, body: (await res.json()) as { idCertPem: string; token: string } };
}

function opensslVerify(rootPem: string, leafPem: string): string {
  const dir = mkdtempSync(join(tmpdir(), "p2-ossl-"));
  writeFileSync(join(dir, "root.pem"), rootPem);
  writeFileSync(join(dir, "leaf.pem"), leafPem);
  return execFileSync("openssl", ["verify", "-CAfile", join(dir, "root.pem"), join(dir, "leaf.pem")], {
    encoding: "utf8",
  });
}

test("root key file is created with mode 0600", () => {
  assert.equal(statSync(join(server.config.dataDir, "root-key.pem")).mode & 0o777, 0o600);
});

test("well-known points at the core API", async () => {
  const body = await (await fetch(`${server.url}/.well-known/polyproto-core`)).json();
  assert.deepEqual(body, { api: `${server.config.publicUrl}/.p2/core/` });
});

test("register, log in with a CSR, and the cert passes openssl verify against /idcert/server", async () => {
  const reg = await fetch(
    `${server.url}/.p2/auth/v1/register`,
    json({ localName: "Alice", password: "correct horse battery" }),
  );
  assert.equal(reg.status, 201);
  assert.deepEqual(await reg.json(), { fid: "alice@a.test" });
  const again = await fetch(
    `${server.url}/.p2/auth/v1/register`,
    json({ localName: "alice", password: "correct horse battery" }),
  );
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error, "P2CORE_FEDERATION_ID_TAKEN");

  const { res, body, key } = await login("alice", "laptop");
  assert.equal(res.status, 201);
  const cert = await parseIdCert(body.idCertPem);
  assert.equal(cert.fid, "alice@a.test");
  assert.ok(cert.publicKey.equals(key.publicKey));
  const server_ = await (await fetch(`${server.url}/.p2/core/v1/idcert/server`)).json();
  const root = await parseIdCert(server_.idCertPem);
  await verifyCacheableIdCert(server_, root.publicKey);
  assert.match(opensslVerify(server_.idCertPem, body.idCertPem), /OK/);

  const wrong = await login("alice", "phone", "wrong password!");
  assert.equal(wrong.res.status, 401);
  const taken = await login("alice", "laptop");
  assert.equal(taken.res.status, 409, "session ID in use by a valid cert");
});

test("second session by POST /idcert, revoke it: token dies and /idcert/actor shows invalidatedAt", async () => {
  const first = await login("alice", "desk");
  const auth = { authorization: `Bearer ${first.body.token}` };
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: "alice@a.test", sessionId: "tablet" });
  const post = (headers: Record<string, string>) =>
    fetch(`${server.url}/.p2/core/v1/idcert`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...headers },
      body: csr.pem,
    });
  assert.equal((await post(auth)).status, 401, "missing sensitive solution");
  const wrong = await post({ ...auth, "x-p2-sensitive-solution": "nope" });
  assert.equal(wrong.status, 403);
  assert.equal((await wrong.json()).error, "P2CORE_SENSITIVE_SOLUTION_WRONG");
  const created = await post({ ...auth, "x-p2-sensitive-solution": "correct horse battery" });
  assert.equal(created.status, 201);
  const second = (await created.json()) as { id_cert: string; token: string };
  const tabletAuth = { authorization: `Bearer ${second.token}` };

  const revoke = (headers: Record<string, string>) =>
    fetch(`${server.url}/.p2/core/v1/session?session_id=tablet`, { method: "DELETE", headers });
  assert.equal((await revoke(auth)).status, 401);
  assert.equal((await revoke({ ...auth, "x-p2-sensitive-solution": "bad" })).status, 403);
  assert.equal((await revoke({ ...auth, "x-p2-sensitive-solution": "correct horse battery" })).status, 204);
  // The revoked session's token no longer works.
  const dead = await fetch(`${server.url}/.p2/core/v1/session?session_id=desk`, {
    method: "DELETE",
    headers: tabletAuth,
  });
  assert.equal(dead.status, 401);

  const certs = (await (
    await fetch(`${server.url}/.p2/core/v1/idcert/actor/alice@a.test?session_id=tablet`)
  ).json()) as {
    invalidatedAt?: number;
    idCertPem: string;
  }[];
  assert.equal(certs.length, 1);
  assert.equal(typeof certs[0]!.invalidatedAt, "number");
  const root = await parseIdCert(
    (await (await fetch(`${server.url}/.p2/core/v1/idcert/server`)).json()).idCertPem,
  );
  const verified = await verifyCacheableIdCert(certs[0] as never, root.publicKey);
  assert.equal(verified.invalidatedAt !== undefined, true);
  const all = (await (
    await fetch(`${server.url}/.p2/core/v1/idcert/actor/ALICE@a.test`)
  ).json()) as unknown[];
  assert.ok(all.length >= 3);
  assert.equal((await fetch(`${server.url}/.p2/core/v1/idcert/actor/nobody@a.test`)).status, 404);
  assert.equal((await fetch(`${server.url}/.p2/core/v1/idcert/actor/a@b@c`)).status, 400);
});
