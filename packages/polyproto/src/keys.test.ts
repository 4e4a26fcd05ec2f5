import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex, toHex, utf8 } from "./bytes.js";
import { PublicKey, SigningKey, rawFromSpki } from "./keys.js";
import { readVector, readVectorJson } from "./vectors.test-helper.js";

interface KeyVectors {
  actor: { private_seed_hex: string; public_key_hex: string; spki_der_hex: string };
  homeserver: { private_seed_hex: string; public_key_hex: string; spki_der_hex: string };
}
const keys = readVectorJson<KeyVectors>("keys/stimmgabel/keys.json");

test("keys: the published stimmgabel PEM files import and match keys.json", async () => {
  for (const who of ["actor", "homeserver"] as const) {
    const signing = await SigningKey.fromPkcs8Pem(readVector(`keys/stimmgabel/private_${who}.pem`));
    const pub = await PublicKey.fromSpkiPem(readVector(`keys/stimmgabel/public_${who}.pem`));
    assert.ok(signing.publicKey.equals(pub));
    assert.equal(toHex(pub.raw), keys[who].public_key_hex);
    assert.equal(toHex(signing.seed()), keys[who].private_seed_hex);
    assert.equal(toHex(pub.toSpkiDer()), keys[who].spki_der_hex);
    const fromSeed = await SigningKey.fromSeed(fromHex(keys[who].private_seed_hex)!);
    assert.ok(fromSeed.publicKey.equals(pub));
  }
});

test("keys: generate, export, re-import, sign and verify", async () => {
  const key = await SigningKey.generate();
  const again = await SigningKey.fromPkcs8Pem(key.toPkcs8Pem());
  assert.ok(again.publicKey.equals(key.publicKey));
  const message = utf8("hello");
  const signature = await again.sign(message);
  assert.equal(signature.length, 64);
  assert.ok(await key.publicKey.verify(message, signature));
  assert.equal(await key.publicKey.verify(utf8("hellO"), signature), false);
  const other = await SigningKey.generate();
  assert.equal(await other.publicKey.verify(message, signature), false);
  assert.equal(toHex(rawFromSpki((await PublicKey.fromSpkiPem(key.publicKey.toSpkiPem())).toSpkiDer())), key.publicKey.toHex());
});

test("keys: strict verification rejects malleated and malformed signatures", async () => {
  const key = await SigningKey.generate();
  const message = utf8("strict");
  const signature = await key.sign(message);
  // S + L (the group order) is the classic malleation; RFC 8032 requires S < L.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!);
  let malleated = s + L;
  const forged = Uint8Array.from(signature);
  for (let i = 0; i < 32; i++) {
    forged[32 + i] = Number(malleated & 0xffn);
    malleated >>= 8n;
  }
  assert.equal(malleated, 0n, "S + L still fits in 32 bytes");
  assert.equal(await key.publicKey.verify(message, forged), false);
  assert.equal(await key.publicKey.verify(message, signature.subarray(0, 63)), false);
  assert.equal(await key.publicKey.verifyHex(message, toHex(signature).toUpperCase()), false);
  assert.equal(await key.publicKey.verifyHex(message, "zz"), false);
  assert.equal(await key.publicKey.verifyHex(message, toHex(signature)), true);
});

test("keys: small-order and non-canonical public keys are refused", async () => {
  const identity = new Uint8Array(32);
  identity[0] = 1; // the neutral point (0, 1)
  await assert.rejects(PublicKey.fromRaw(identity), { code: "P2CORE_INVALID_KEY" });
  // A point of order 8 (from the list of Ed25519 small-order points).
  const order8 = fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")!;
  await assert.rejects(PublicKey.fromRaw(order8), { code: "P2CORE_INVALID_KEY" });
  // y = p (non-canonical encoding of y = 0).
  const nonCanonical = fromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")!;
  await assert.rejects(PublicKey.fromRaw(nonCanonical), { code: "P2CORE_INVALID_KEY" });
  await assert.rejects(PublicKey.fromRaw(new Uint8Array(31)), { code: "P2CORE_INVALID_KEY" });
});

test("keys: broken PEM and foreign key types are refused with clear codes", async () => {
  await assert.rejects(PublicKey.fromSpkiPem("not pem"), { code: "P2CORE_INVALID_PEM" });
  await assert.rejects(SigningKey.fromPkcs8Pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"), {
    code: "P2CORE_INVALID_KEY",
  });
  // An X25519 SPKI (OID 1.3.101.110) is not an identity key.
  const x25519 = fromHex(`302a300506032b656e032100${"11".repeat(32)}`)!;
  await assert.rejects(PublicKey.fromSpkiDer(x25519), { code: "P2CORE_INVALID_KEY" });
});
