import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createIdCsr, SigningKey } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";
import { hashToken } from "../sessions/service.js";

const PASSWORD = "correct horse battery";
const SENSITIVE = "x-p2-sensitive-solution";

let server: TestServer;
let alice: Record<string, string>;
let bob: Record<string, string>;

const api = (path: string) => `${server.url}/.p2/core/v1${path}`;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(api(path), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(api(path), {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const del = (path: string, headers: Record<string, string> = {}) =>
  fetch(api(path), { method: "DELETE", headers });

async function account(localName: string): Promise<Record<string, string>> {
  const register = await fetch(`${server.url}/.p2/auth/v1/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ localName, password: PASSWORD }),
  });
  assert.equal(register.status, 201);
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: `${localName}@a.test`, sessionId: "laptop" });
  const login = await fetch(`${server.url}/.p2/auth/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ localName, password: PASSWORD, csr: csr.pem }),
  });
  assert.equal(login.status, 201);
  return { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
}

async function expectError(response: Response, status: number, code?: string): Promise<void> {
  const body = (await response.json()) as { errcode: number; error: string; message: string };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.errcode, status);
  assert.equal(typeof body.message, "string");
  if (code) assert.equal(body.error, code);
}

async function discover(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(api(`/services/discover/${path}`));
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "a.test" } });
  alice = await account("alice");
  bob = await account("bob");
});
after(() => server.close());

test("registering: the first provider of a service is primary, URLs are normalised, duplicates are 409", async () => {
  const first = await post(
    "/services",
    { service: { service: "chat", url: "https://Chat.B.test:443/" } },
    alice,
  );
  assert.equal(first.status, 201);
  assert.deepEqual(await first.json(), { service: "chat", url: "https://chat.b.test", primary: true });
  const second = await post(
    "/services",
    { service: { service: "chat", url: "http://chat.c.test:8080/p2/", primary: false } },
    alice,
  );
  assert.equal(second.status, 201);
  assert.deepEqual(await second.json(), {
    service: "chat",
    url: "http://chat.c.test:8080/p2",
    primary: false,
  });
  // The same provider, spelled differently.
  await expectError(
    await post("/services", { service: { service: "chat", url: "https://chat.b.test" } }, alice),
    409,
    "P2CORE_SERVICE_EXISTS",
  );
  const mls = await post(
    "/services",
    { service: { service: "mls", url: "https://mls.b.test", primary: false } },
    alice,
  );
  assert.equal((await mls.json()).primary, true, "the first provider is primary whatever the request says");
});

test("registering is refused without a token, for foreign actors, and for bad names, URLs and bodies", async () => {
  const ok = { service: { service: "chat", url: "https://x.test" } };
  await expectError(await post("/services", ok), 401, "P2CORE_UNAUTHORIZED");
  await expectError(await post("/services", ok, { authorization: "Bearer nonsense-token-nonsense" }), 401);

  // A foreign actor's session (as a key trial would create it) may not register services here.
  const foreignToken = "f".repeat(43);
  await server.storage.sessionTokens.put({
    tokenHash: hashToken(foreignToken),
    fid: "carol@b.test",
    certSerial: "77",
    sessionId: "s1",
    foreign: true,
    certPem: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    homeDomain: "b.test",
    expiresAt: Date.now() + 3_600_000,
    createdAt: Date.now(),
  });
  await expectError(
    await post("/services", ok, { authorization: `Bearer ${foreignToken}` }),
    403,
    "P2CORE_LOCAL_ACTORS_ONLY",
  );

  for (const service of ["Chat", "c", "x".repeat(65), "ch at", "chat/../x", "çhat"]) {
    await expectError(
      await post("/services", { service: { service, url: "https://x.test" } }, alice),
      400,
      service.length > 64 ? undefined : "P2CORE_INVALID_SERVICE_NAME",
    );
  }
  for (const url of [
    "ftp://x.test",
    "javascript:alert(1)",
    "not a url",
    "https://user:pw@x.test",
    "https://x.test/?q=1",
    "https://x.test/#top",
    "",
  ]) {
    await expectError(
      await post("/services", { service: { service: "chat", url } }, alice),
      400,
      "P2CORE_INVALID_SERVICE_URL",
    );
  }
  for (const body of [
    {},
    { service: "chat" },
    { service: { service: "chat" } },
    { service: { service: "chat", url: 5 } },
    { service: { service: "chat", url: "https://x.test", primary: "true" } },
    { service: { service: 5, url: "https://x.test" } },
    [],
  ]) {
    await expectError(await post("/services", body, alice), 400, "P2CORE_INVALID_REQUEST");
  }
  await expectError(await post("/services", "{not json", alice), 400, "P2CORE_INVALID_REQUEST");
});

test("discovery: primaries first, limit 1 gives primaries only, 204 when none, 404 for non-actors", async () => {
  const all = await discover("ALICE@A.TEST");
  assert.equal(all.status, 200);
  assert.deepEqual(all.body, [
    { service: "chat", url: "https://chat.b.test", primary: true },
    { service: "mls", url: "https://mls.b.test", primary: true },
    { service: "chat", url: "http://chat.c.test:8080/p2", primary: false },
  ]);
  assert.deepEqual((await discover("alice@a.test?limit=1")).body, [
    { service: "chat", url: "https://chat.b.test", primary: true },
    { service: "mls", url: "https://mls.b.test", primary: true },
  ]);
  assert.equal(((await discover("alice@a.test?limit=2")).body as unknown[]).length, 2);
  assert.deepEqual((await discover("alice@a.test/chat")).body, [
    { service: "chat", url: "https://chat.b.test", primary: true },
    { service: "chat", url: "http://chat.c.test:8080/p2", primary: false },
  ]);
  assert.deepEqual((await discover("alice@a.test/chat?limit=1")).body, [
    { service: "chat", url: "https://chat.b.test", primary: true },
  ]);

  const none = await fetch(api("/services/discover/bob@a.test"));
  assert.equal(none.status, 204);
  assert.equal(await none.text(), "");
  assert.equal((await discover("alice@a.test/voice")).status, 204);

  await expectError(await fetch(api("/services/discover/nobody@a.test")), 404, "P2CORE_NOT_FOUND");
  await expectError(await fetch(api("/services/discover/nobody@a.test/chat")), 404, "P2CORE_NOT_FOUND");
  await expectError(await fetch(api("/services/discover/alice@b.test")), 404, "P2CORE_NOT_FOUND");
  await expectError(await fetch(api("/services/discover/a@b@c")), 400, "P2CORE_INVALID_FEDERATION_ID");
  await expectError(
    await fetch(api("/services/discover/alice@a.test/CHAT")),
    400,
    "P2CORE_INVALID_SERVICE_NAME",
  );
  await expectError(
    await fetch(api("/services/discover/alice@a.test?limit=0")),
    400,
    "P2CORE_INVALID_REQUEST",
  );
  await expectError(
    await fetch(api("/services/discover/alice@a.test?limit=many")),
    400,
    "P2CORE_INVALID_REQUEST",
  );
  await expectError(await fetch(api(`/services/discover/${"a".repeat(400)}@a.test`)), 400);
  await expectError(
    await fetch(api(`/services/discover/${"a".repeat(10_000)}@a.test`)),
    414,
    "P2CORE_URI_TOO_LONG",
  );
  await expectError(await fetch(api("/services/discover/%zz@a.test")), 400, "P2CORE_INVALID_REQUEST");
});

test("registering over an existing primary with primary: true is sensitive", async () => {
  const body = { service: { service: "chat", url: "https://chat.d.test", primary: true } };
  await expectError(await post("/services", body, alice), 401, "P2CORE_SENSITIVE_SOLUTION_REQUIRED");
  await expectError(
    await post("/services", body, { ...alice, [SENSITIVE]: "wrong" }),
    403,
    "P2CORE_SENSITIVE_SOLUTION_WRONG",
  );
  assert.equal(((await discover("alice@a.test/chat")).body as unknown[]).length, 2, "nothing was stored");
  const made = await post("/services", body, { ...alice, [SENSITIVE]: PASSWORD });
  assert.equal(made.status, 201);
  assert.deepEqual(await made.json(), { service: "chat", url: "https://chat.d.test", primary: true });
  assert.deepEqual((await discover("alice@a.test/chat?limit=1")).body, [
    { service: "chat", url: "https://chat.d.test", primary: true },
  ]);
});

test("PUT /services/primary is sensitive and answers [previous, current]", async () => {
  const body = { name: "chat", url: "https://chat.b.test/" };
  await expectError(await put("/services/primary", body), 401, "P2CORE_UNAUTHORIZED");
  await expectError(await put("/services/primary", body, alice), 401, "P2CORE_SENSITIVE_SOLUTION_REQUIRED");
  await expectError(
    await put("/services/primary", body, { ...alice, [SENSITIVE]: "wrong" }),
    403,
    "P2CORE_SENSITIVE_SOLUTION_WRONG",
  );
  const sensitive = { ...alice, [SENSITIVE]: PASSWORD };
  await expectError(
    await put("/services/primary", { name: "chat", url: "https://unknown.test" }, sensitive),
    404,
    "P2CORE_NOT_FOUND",
  );
  await expectError(
    await put("/services/primary", { name: "Chat!", url: "https://chat.b.test" }, sensitive),
    400,
  );
  await expectError(
    await put("/services/primary", { name: "chat", url: "ftp://chat.b.test" }, sensitive),
    400,
  );
  await expectError(await put("/services/primary", { url: "https://chat.b.test" }, sensitive), 400);
  // Bob has no such provider: another actor's entries are not his to change.
  await expectError(await put("/services/primary", body, { ...bob, [SENSITIVE]: PASSWORD }), 404);

  const swapped = await put("/services/primary", body, sensitive);
  assert.equal(swapped.status, 200);
  assert.deepEqual(await swapped.json(), [
    { service: "chat", url: "https://chat.d.test", primary: false },
    { service: "chat", url: "https://chat.b.test", primary: true },
  ]);
  const again = await put("/services/primary", body, sensitive);
  assert.deepEqual(await again.json(), [{ service: "chat", url: "https://chat.b.test", primary: true }]);
});

test("DELETE /services: all or none, sensitive only when it changes a primary", async () => {
  const sensitive = { ...alice, [SENSITIVE]: PASSWORD };
  await expectError(await del("/services?name=chat&url=https://chat.d.test"), 401, "P2CORE_UNAUTHORIZED");
  await expectError(await del("/services", alice), 400, "P2CORE_INVALID_REQUEST");
  await expectError(
    await del("/services?name=chat,mls&url=https://chat.d.test", alice),
    400,
    "P2CORE_INVALID_REQUEST",
  );
  await expectError(
    await del("/services?name=CHAT&url=https://chat.d.test", alice),
    400,
    "P2CORE_INVALID_SERVICE_NAME",
  );
  // One of two is not registered: nothing is removed.
  await expectError(
    await del("/services?name=chat,chat&url=https://chat.d.test,https://nowhere.test", alice),
    404,
    "P2CORE_NOT_FOUND",
  );
  assert.equal(((await discover("alice@a.test/chat")).body as unknown[]).length, 3);

  // Not the primary: no solution needed, no primary changes.
  const plain = await del("/services?name=chat&url=https://chat.d.test/", alice);
  assert.equal(plain.status, 200);
  assert.deepEqual(await plain.json(), []);

  // The primary while another remains: sensitive; refused without (and nothing removed).
  const primary = `/services?name=chat&url=${encodeURIComponent("https://chat.b.test")}`;
  await expectError(await del(primary, alice), 401, "P2CORE_SENSITIVE_SOLUTION_REQUIRED");
  await expectError(
    await del(primary, { ...alice, [SENSITIVE]: "wrong" }),
    403,
    "P2CORE_SENSITIVE_SOLUTION_WRONG",
  );
  assert.equal(((await discover("alice@a.test/chat")).body as unknown[]).length, 2);
  const promoted = await del(primary, sensitive);
  assert.equal(promoted.status, 200);
  assert.deepEqual(await promoted.json(), [{ service: "chat", new_primary: "http://chat.c.test:8080/p2" }]);
  assert.deepEqual((await discover("alice@a.test/chat")).body, [
    { service: "chat", url: "http://chat.c.test:8080/p2", primary: true },
  ]);

  // The last providers, in the repeated-parameter form: no new primary, no solution needed.
  const last = await del(
    "/services?name=chat&name=mls&url=http://chat.c.test:8080/p2&url=https://mls.b.test",
    alice,
  );
  assert.equal(last.status, 200);
  assert.deepEqual(await last.json(), []);
  assert.equal((await discover("alice@a.test")).status, 204);
  await expectError(await del("/services?name=mls&url=https://mls.b.test", alice), 404, "P2CORE_NOT_FOUND");
});

test("several removals in the comma form, and URLs with commas", async () => {
  for (const url of ["https://a.test/x,y", "https://b.test", "https://c.test"]) {
    assert.equal((await post("/services", { service: { service: "chat", url } }, bob)).status, 201);
  }
  const one = await del(`/services?name=chat&url=${encodeURIComponent("https://a.test/x,y")}`, {
    ...bob,
    [SENSITIVE]: PASSWORD,
  });
  assert.deepEqual(await one.json(), [{ service: "chat", new_primary: "https://b.test" }]);
  const both = await del("/services?name=chat,chat&url=https://b.test,https://c.test", {
    ...bob,
    [SENSITIVE]: PASSWORD,
  });
  assert.equal(both.status, 200);
  assert.deepEqual(await both.json(), []);
  assert.equal((await discover("bob@a.test")).status, 204);
});
