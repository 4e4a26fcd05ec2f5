import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createIdCsr, parseIdCert, SigningKey } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";
import { hashToken } from "../sessions/service.js";
import { quoteSerialNumbers } from "./exactSerialJson.js";
import { elementSize } from "./service.js";

const PASSWORD = "correct horse battery";
const SENSITIVE = "x-p2-sensitive-solution";
const AES_256_GCM = "2.16.840.1.101.3.4.1.46";
const KEY_DATA =
  "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ2a3y9r6mnsr2cU4cRPp8e4gFu2X2Ui0B8xBv0z8K5R\n-----END PRIVATE KEY-----\n";

let server: TestServer;
let alice: Record<string, string>;
let bob: Record<string, string>;
/** Serials of alice's two certs and bob's one, decimal. */
let aliceSerials: [string, string];
let bobSerial: string;

const url = (path: string) => `${server.url}/.p2/core/v1/session/keymaterial${path}`;
/** A POST with the body as raw text, so serials can be sent as exact JSON integers. */
const upload = (body: string, headers: Record<string, string> = {}) =>
  fetch(url(""), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
/** One element as the OpenAPI document spells it: serialNumber a JSON integer (all digits). */
const element = (serial: string, keyData = KEY_DATA, algorithms = [AES_256_GCM]) =>
  `{"key_data":${JSON.stringify(keyData)},"serialNumber":${serial},"encryptionAlgorithms":${JSON.stringify(algorithms)}}`;

async function login(
  localName: string,
  sessionId: string,
): Promise<{ auth: Record<string, string>; serial: string }> {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: `${localName}@a.test`, sessionId });
  const response = await fetch(`${server.url}/.p2/auth/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ localName, password: PASSWORD, csr: csr.pem }),
  });
  assert.equal(response.status, 201);
  const body = (await response.json()) as { idCertPem: string; token: string };
  return {
    auth: { authorization: `Bearer ${body.token}` },
    serial: (await parseIdCert(body.idCertPem)).serial,
  };
}

async function register(localName: string): Promise<void> {
  const response = await fetch(`${server.url}/.p2/auth/v1/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ localName, password: PASSWORD }),
  });
  assert.equal(response.status, 201);
}

async function expectError(response: Response, status: number, code?: string): Promise<void> {
  const body = (await response.json()) as { errcode: number; error: string; message: string };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.errcode, status);
  assert.equal(typeof body.message, "string");
  if (code) assert.equal(body.error, code);
}

before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "a.test" } });
  await register("alice");
  await register("bob");
  const laptop = await login("alice", "laptop");
  const phone = await login("alice", "phone");
  alice = laptop.auth;
  aliceSerials = [laptop.serial, phone.serial];
  const bobLogin = await login("bob", "desk");
  bob = bobLogin.auth;
  bobSerial = bobLogin.serial;
});
after(() => server.close());

test("the size limit is public, in X-MAX-PAYLOAD-SIZE, with no body", async () => {
  const response = await fetch(url("/size"));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-max-payload-size"), "10240");
  assert.equal(await response.text(), "");
});

test("upload with the serial as a JSON integer (read exactly), fetch it back as a decimal string", async () => {
  const none = await fetch(url(""), { headers: alice });
  assert.equal(none.status, 204);
  assert.equal(await none.text(), "");

  const stored = await upload(`[${element(aliceSerials[0])}]`, alice);
  assert.equal(stored.status, 201);
  assert.equal(await stored.text(), "");

  const fetched = await fetch(url(`?serials=${aliceSerials[0]}`), { headers: alice });
  assert.equal(fetched.status, 200);
  // Serials reach 2^63: sent as JSON integers they are read with every digit, and answered as strings.
  const expected = [
    { key_data: KEY_DATA, serialNumber: aliceSerials[0], encryptionAlgorithms: [AES_256_GCM] },
  ];
  assert.deepEqual(await fetched.json(), expected);
  assert.deepEqual(await (await fetch(url(""), { headers: alice })).json(), expected);
});

test("a decimal string serial and leading zeros are accepted too", async () => {
  const body = JSON.stringify([
    {
      key_data: "b64+/=",
      serialNumber: `00${aliceSerials[1]}`,
      encryptionAlgorithms: [AES_256_GCM, "1.2.840.113549.1.5.13"],
    },
  ]);
  assert.equal((await upload(body, alice)).status, 201);
  const both = await fetch(url(`?serials=${aliceSerials[0]},${aliceSerials[1]}`), { headers: alice });
  const parsed = (await both.json()) as { serialNumber: string }[];
  assert.deepEqual(parsed.map((e) => e.serialNumber).sort(), [...aliceSerials].sort());
  const repeated = await fetch(url(`?serials=${aliceSerials[0]}&serials=${aliceSerials[1]}`), {
    headers: alice,
  });
  assert.equal(((await repeated.json()) as unknown[]).length, 2);
});

test("uploads are refused: no token, foreign actor, bad shapes, not your cert, too large, twice, already stored", async () => {
  const fresh = await login("alice", "tablet");
  const one = `[${element(fresh.serial)}]`;
  await expectError(await upload(one), 401, "P2CORE_UNAUTHORIZED");
  await expectError(
    await upload(one, { authorization: "Bearer not-a-live-token-at-all" }),
    401,
    "P2CORE_UNAUTHORIZED",
  );

  const foreignToken = "g".repeat(43);
  await server.storage.sessionTokens.put({
    tokenHash: hashToken(foreignToken),
    fid: "carol@b.test",
    certSerial: fresh.serial,
    sessionId: "s1",
    foreign: true,
    certPem: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    homeDomain: "b.test",
    expiresAt: Date.now() + 3_600_000,
    createdAt: Date.now(),
  });
  await expectError(
    await upload(one, { authorization: `Bearer ${foreignToken}` }),
    403,
    "P2CORE_LOCAL_ACTORS_ONLY",
  );

  for (const body of [
    "{",
    "{}",
    "[]",
    `${element(fresh.serial)}`,
    `[{"serialNumber":${fresh.serial},"encryptionAlgorithms":["${AES_256_GCM}"]}]`,
    `[{"key_data":"x","serialNumber":${fresh.serial}}]`,
    `[{"key_data":"x","serialNumber":${fresh.serial},"encryptionAlgorithms":[]}]`,
    `[{"key_data":"","serialNumber":${fresh.serial},"encryptionAlgorithms":["${AES_256_GCM}"]}]`,
    `[{"key_data":5,"serialNumber":${fresh.serial},"encryptionAlgorithms":["${AES_256_GCM}"]}]`,
    element("abc"),
    `[${element("-5")}]`,
    `[${element("1.5")}]`,
    `[${element("1e3")}]`,
    `[${element('"12x"')}]`,
    `[${element("123456789012345678901")}]`,
    `[${element("18446744073709551616")}]`,
    `[${element(fresh.serial, "ключ")}]`,
    `[${element(fresh.serial, KEY_DATA, ["aes"])}]`,
    `[${element(fresh.serial, KEY_DATA, ["3.1"])}]`,
  ]) {
    await expectError(await upload(body, fresh.auth), 400);
  }
  await expectError(
    await upload(`[${element(fresh.serial)},${element(`0${fresh.serial}`)}]`, fresh.auth),
    400,
  );

  // Another actor's cert, and a cert that does not exist, are both "not found".
  await expectError(await upload(`[${element(bobSerial)}]`, fresh.auth), 404, "P2CORE_NOT_FOUND");
  await expectError(await upload(`[${element("12345")}]`, fresh.auth), 404, "P2CORE_NOT_FOUND");

  // Exactly at the limit is fine; one byte more is 413.
  const base = elementSize("", fresh.serial, [AES_256_GCM]);
  const atLimit = "k".repeat(10240 - base);
  assert.equal(elementSize(atLimit, fresh.serial, [AES_256_GCM]), 10240);
  await expectError(
    await upload(`[${element(fresh.serial, `${atLimit}k`)}]`, fresh.auth),
    413,
    "P2CORE_KEY_MATERIAL_TOO_LARGE",
  );
  // All or nothing: a conflict on the second element leaves the first unstored.
  await expectError(
    await upload(`[${element(fresh.serial, atLimit)},${element(aliceSerials[0])}]`, fresh.auth),
    409,
    "P2CORE_KEY_MATERIAL_EXISTS",
  );
  assert.equal((await fetch(url(`?serials=${fresh.serial}`), { headers: alice })).status, 204);
  assert.equal((await upload(`[${element(fresh.serial, atLimit)}]`, fresh.auth)).status, 201);
  await expectError(await upload(`[${element(fresh.serial)}]`, alice), 409, "P2CORE_KEY_MATERIAL_EXISTS");
  await expectError(
    await upload(`[${element(fresh.serial)}]`, { ...alice, "content-type": "application/xml" }),
    415,
    "P2CORE_UNSUPPORTED_MEDIA_TYPE",
  );
});

test("fetching sees only the caller's own material", async () => {
  assert.equal((await fetch(url(""), { headers: bob })).status, 204);
  assert.equal((await fetch(url(`?serials=${aliceSerials[0]}`), { headers: bob })).status, 204);
  await expectError(await fetch(url("")), 401, "P2CORE_UNAUTHORIZED");
  await expectError(await fetch(url("?serials=abc"), { headers: alice }), 400, "P2CORE_INVALID_REQUEST");
  await expectError(await fetch(url("?serials=1,,2"), { headers: alice }), 400, "P2CORE_INVALID_REQUEST");
  await expectError(
    await fetch(url("?serials=99999999999999999999"), { headers: alice }),
    400,
    "P2CORE_INVALID_REQUEST",
  );
});

test("deleting is sensitive, all or none, and 404 for what is not stored", async () => {
  const one = `?serials=${aliceSerials[0]}`;
  const del = (query: string, headers: Record<string, string>) =>
    fetch(url(query), { method: "DELETE", headers });
  await expectError(await del(one, {}), 401, "P2CORE_UNAUTHORIZED");
  await expectError(await del(one, alice), 401, "P2CORE_SENSITIVE_SOLUTION_REQUIRED");
  await expectError(
    await del(one, { ...alice, [SENSITIVE]: "wrong" }),
    403,
    "P2CORE_SENSITIVE_SOLUTION_WRONG",
  );
  const sensitive = { ...alice, [SENSITIVE]: PASSWORD };
  await expectError(await del("", sensitive), 400, "P2CORE_INVALID_REQUEST");
  await expectError(await del(`${one},${bobSerial}`, sensitive), 404, "P2CORE_NOT_FOUND");
  assert.equal((await fetch(url(one), { headers: alice })).status, 200, "nothing was deleted");
  // Bob cannot delete alice's material: for him it does not exist.
  await expectError(await del(one, { ...bob, [SENSITIVE]: PASSWORD }), 404, "P2CORE_NOT_FOUND");

  const deleted = await del(`${one},${aliceSerials[0]}`, sensitive);
  assert.equal(deleted.status, 204);
  assert.equal((await fetch(url(one), { headers: alice })).status, 204);
  await expectError(await del(one, sensitive), 404, "P2CORE_NOT_FOUND");
  // The material can be uploaded again once deleted.
  assert.equal((await upload(`[${element(aliceSerials[0])}]`, alice)).status, 201);
});

test("the limit follows keyMaterialMaxBytes", async () => {
  const small = await startTestServer({ env: { P2_DOMAIN: "a.test", P2_KEY_MATERIAL_MAX_BYTES: "800" } });
  try {
    const response = await fetch(`${small.url}/.p2/core/v1/session/keymaterial/size`);
    assert.equal(response.headers.get("x-max-payload-size"), "800");
  } finally {
    await small.close();
  }
});

test("the exact-serial parser quotes serialNumber members only", () => {
  const text =
    '[{"key_data":"\\"serialNumber\\": 7","serialNumber" : 18446744073709551615,"x":{"serialNumber":-1.5e3}}]';
  assert.deepEqual(JSON.parse(quoteSerialNumbers(text)), [
    { key_data: '"serialNumber": 7', serialNumber: "18446744073709551615", x: { serialNumber: "-1.5e3" } },
  ]);
});
