import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createIdCsr, SigningKey } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";
import { hashPassword } from "./passwords.js";

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function server(env: Record<string, string>) {
  const s = await startTestServer({ env: { P2_DOMAIN: "auth.test", ...env } });
  servers.push(s);
  return s;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

async function login(s: TestServer, localName: string, password: string) {
  const csr = await createIdCsr({
    signingKey: await SigningKey.generate(),
    fid: `${localName}@auth.test`,
    sessionId: "s1",
  });
  const res = await post(`${s.url}/.p2/auth/v1/login`, { localName, password, csr: csr.pem });
  return { status: res.status, ...((await res.json()) as { token: string; error?: string }) };
}

test("closed registration refuses everyone", async () => {
  const s = await server({ P2_REGISTRATION: "closed" });
  const res = await post(`${s.url}/.p2/auth/v1/register`, { localName: "x", password: "long enough pw" });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error, "P2CORE_REGISTRATION_CLOSED");
});

test("invite registration: an admin's invite works once per use, then not", async () => {
  const s = await server({ P2_REGISTRATION: "invite" });
  // The first account of a server is its administrator; in invite mode it needs to exist first.
  const first = await post(`${s.url}/.p2/auth/v1/register`, {
    localName: "root",
    password: "long enough pw",
  });
  assert.equal(first.status, 403, "invite mode needs an invite, even for the first account");
  await s.storage.accounts.create({
    fid: "admin@auth.test",
    localName: "admin",
    passwordHash: await hashPassword("long enough pw"),
    createdAt: Date.now(),
    isAdmin: true,
    totpSecret: null,
  });
  const admin = await login(s, "admin", "long enough pw");
  assert.equal(admin.status, 201);
  const created = await post(
    `${s.url}/.p2/auth/v1/invites`,
    { maxUses: 1 },
    { authorization: `Bearer ${admin.token}` },
  );
  assert.equal(created.status, 201);
  const { code } = (await created.json()) as { code: string };
  const bad = await post(`${s.url}/.p2/auth/v1/register`, {
    localName: "bob",
    password: "long enough pw",
    invite: "nope",
  });
  assert.equal(bad.status, 403);
  assert.equal((await bad.json()).error, "P2CORE_INVITE_REQUIRED");
  const ok = await post(`${s.url}/.p2/auth/v1/register`, {
    localName: "bob",
    password: "long enough pw",
    invite: code,
  });
  assert.equal(ok.status, 201);
  const used = await post(`${s.url}/.p2/auth/v1/register`, {
    localName: "carol",
    password: "long enough pw",
    invite: code,
  });
  assert.equal(used.status, 403, "the single use is spent");
  // bob is no admin: he cannot create invites.
  const bob = await login(s, "bob", "long enough pw");
  const denied = await post(`${s.url}/.p2/auth/v1/invites`, {}, { authorization: `Bearer ${bob.token}` });
  assert.equal(denied.status, 403);
  const list = await fetch(`${s.url}/.p2/auth/v1/invites`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  assert.equal(((await list.json()) as unknown[]).length, 1);
});

test("open registration: first account is admin, validation errors are 400 with the error body", async () => {
  const s = await server({});
  assert.equal(
    (await post(`${s.url}/.p2/auth/v1/register`, { localName: "first", password: "long enough pw" })).status,
    201,
  );
  assert.equal((await s.storage.accounts.find("first@auth.test"))?.isAdmin, true);
  assert.equal(
    (await post(`${s.url}/.p2/auth/v1/register`, { localName: "second", password: "long enough pw" })).status,
    201,
  );
  assert.equal((await s.storage.accounts.find("second@auth.test"))?.isAdmin, false);
  for (const body of [
    { localName: "a@b", password: "long enough pw" },
    { localName: "ok", password: "short" },
    { localName: 5, password: "long enough pw" },
  ]) {
    const res = await post(`${s.url}/.p2/auth/v1/register`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const error = (await res.json()) as { errcode: number; error: string };
    assert.equal(error.errcode, 400);
    assert.match(error.error, /^P2CORE_/);
  }
  const badCsr = await post(`${s.url}/.p2/auth/v1/login`, {
    localName: "first",
    password: "long enough pw",
    csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----",
  });
  assert.equal(badCsr.status, 400);
  // A CSR for someone else is refused.
  const other = await createIdCsr({
    signingKey: await SigningKey.generate(),
    fid: "second@auth.test",
    sessionId: "s9",
  });
  const wrong = await post(`${s.url}/.p2/auth/v1/login`, {
    localName: "first",
    password: "long enough pw",
    csr: other.pem,
  });
  assert.equal(wrong.status, 403);
  assert.equal((await wrong.json()).error, "P2CORE_CSR_WRONG_ACTOR");
});
