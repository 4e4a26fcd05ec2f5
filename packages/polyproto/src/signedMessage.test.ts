import assert from "node:assert/strict";
import { test } from "node:test";
import { fromUtf8 } from "./bytes.js";
import { SigningKey } from "./keys.js";
import {
  checkEnvelopeClaims,
  createEnvelope,
  envelopeSigningBytes,
  newNonce,
  parseEnvelope,
  type SignedEnvelope,
  signEnvelope,
  verifyEnvelope,
} from "./signedMessage.js";
import { readVector } from "./vectors.test-helper.js";

const base = (): SignedEnvelope =>
  createEnvelope({
    kind: "chat.message",
    to: "chat:channel:example.chat/01JD000000000000000000000",
    author: "alice@example.chat",
    session: "s1",
    serial: "8932490",
    ts: 1_737_379_403_000,
    nonce: "00112233445566778899aabbccddeeff",
    body: { content: "héllo 👋", mentions: [], z: 1, a: { y: 2.5, b: null } },
  });

test("signed messages: the signed bytes are the prefix plus RFC 8785 canonical JSON", () => {
  const bytes = fromUtf8(envelopeSigningBytes(base()));
  assert.equal(
    bytes,
    'polyproto-chat/1\n{"author":"alice@example.chat","body":{"a":{"b":null,"y":2.5},"content":"héllo 👋","mentions":[],"z":1},' +
      '"kind":"chat.message","nonce":"00112233445566778899aabbccddeeff","serial":"8932490","session":"s1",' +
      '"to":"chat:channel:example.chat/01JD000000000000000000000","ts":1737379403000,"v":1}',
  );
  // Key order of the input never matters.
  const { v, ...rest } = base();
  const shuffled = JSON.parse(JSON.stringify({ ...rest, body: { z: 1, ...base().body }, v }));
  assert.equal(fromUtf8(envelopeSigningBytes(shuffled)), bytes);
});

test("signed messages: deterministic signature with the published actor key, verifies; any change breaks it", async () => {
  const key = await SigningKey.fromPkcs8Pem(readVector("keys/stimmgabel/private_actor.pem"));
  const signature = await signEnvelope(key, base());
  assert.equal(signature, await signEnvelope(key, base()));
  assert.match(signature, /^[0-9a-f]{128}$/);
  assert.ok(await verifyEnvelope(key.publicKey, base(), signature));
  // What travels as JSON and comes back re-verifies.
  assert.ok(await verifyEnvelope(key.publicKey, parseEnvelope(JSON.parse(JSON.stringify(base()))), signature));
  for (const change of [
    (e: SignedEnvelope) => ({ ...e, ts: e.ts + 1 }),
    (e: SignedEnvelope) => ({ ...e, to: "chat:dm:bob@b.test" }),
    (e: SignedEnvelope) => ({ ...e, body: { ...e.body, content: "hello" } }),
    (e: SignedEnvelope) => ({ ...e, session: "s2" }),
  ]) {
    assert.equal(await verifyEnvelope(key.publicKey, change(base()), signature), false);
  }
  const other = await SigningKey.generate();
  assert.equal(await verifyEnvelope(other.publicKey, base(), signature), false);
});

test("signed messages: parseEnvelope rejects every malformed field", () => {
  assert.deepEqual(parseEnvelope(base()), base());
  const cases: [string, unknown][] = [
    ["", null],
    ["", [base()]],
    ["extra", { ...base(), extra: 1 }],
    ["nonce", { ...base(), nonce: undefined }],
    ["v", { ...base(), v: 2 }],
    ["kind", { ...base(), kind: "message" }],
    ["to", { ...base(), to: "" }],
    ["author", { ...base(), author: "Alice@example.chat" }],
    ["author", { ...base(), author: "a@b@c" }],
    ["session", { ...base(), session: "" }],
    ["serial", { ...base(), serial: 8932490 }],
    ["serial", { ...base(), serial: "0123" }],
    ["ts", { ...base(), ts: 1.5 }],
    ["ts", { ...base(), ts: "1737379403000" }],
    ["nonce", { ...base(), nonce: "00112233445566778899AABBCCDDEEFF" }],
    ["body", { ...base(), body: "text" }],
  ];
  for (const [field, input] of cases) {
    assert.throws(() => parseEnvelope(input), (e: Error & { code?: string }) => {
      assert.equal(e.code, "P2CORE_INVALID_ENVELOPE");
      assert.ok(e.message.startsWith(`envelope.${field}`), `${e.message} names ${field}`);
      return true;
    });
  }
});

test("signed messages: claims are checked against the session, the route and the clock", () => {
  const e = base();
  const ok = { author: e.author, session: e.session, serial: e.serial, to: e.to, kind: "chat.message", now: e.ts };
  checkEnvelopeClaims(e, ok);
  checkEnvelopeClaims(e, { ...ok, now: e.ts + 5 * 60 * 1000 });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, author: "bob@example.chat" }), { code: "P2CORE_ENVELOPE_WRONG_AUTHOR" });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, session: "s2" }), { code: "P2CORE_ENVELOPE_WRONG_SESSION" });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, serial: "1" }), { code: "P2CORE_ENVELOPE_WRONG_SESSION" });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, to: "chat:dm:x@y.z" }), { code: "P2CORE_ENVELOPE_WRONG_ADDRESS" });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, kind: "chat.edit" }), { code: "P2CORE_ENVELOPE_WRONG_KIND" });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, now: e.ts + 5 * 60 * 1000 + 1 }), { code: "P2CORE_ENVELOPE_STALE" });
  assert.throws(() => checkEnvelopeClaims(e, { ...ok, now: e.ts - 5 * 60 * 1000 - 1 }), { code: "P2CORE_ENVELOPE_STALE" });
});

test("signed messages: nonces are fresh 128-bit hex", () => {
  const a = newNonce();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, newNonce());
  const { nonce: _n, ts: _t, v: _v, ...fields } = base();
  const fresh = createEnvelope(fields);
  assert.match(fresh.nonce, /^[0-9a-f]{32}$/);
  assert.notEqual(fresh.nonce, base().nonce);
  assert.ok(Math.abs(fresh.ts - Date.now()) < 1000);
});
