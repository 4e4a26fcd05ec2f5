import assert from "node:assert/strict";
import { test } from "node:test";
import { fromUtf8 } from "./bytes.js";
import {
  type CacheableIdCert,
  cacheSignatureMessage,
  createCacheableIdCert,
  isCacheWindowCurrent,
  verifyCacheableIdCert,
} from "./cacheableIdCert.js";
import { PolyprotoError } from "./errors.js";
import { createRootCert, issueIdCert, parseIdCert } from "./idCert.js";
import { createIdCsr, parseIdCsr } from "./idCsr.js";
import { PublicKey, SigningKey } from "./keys.js";
import { readVector } from "./vectors.test-helper.js";

interface CacheVector {
  serial_number_decimal: string;
  cacheNotValidBefore: string;
  cacheNotValidAfter: string;
  invalidatedAt: string | null;
  signed_string: string;
  cacheSignature_hex: string;
}
// The third vector's cacheNotValidAfter is 2^64-1, beyond a JSON number's precision in JavaScript:
// read the times as strings so they stay exact.
const vectors = (
  JSON.parse(
    readVector("signatures_derived.json").replace(
      /"(cacheNotValidBefore|cacheNotValidAfter|invalidatedAt)": (\d+)/g,
      '"$1": "$2"',
    ),
  ) as { cache_signatures: CacheVector[] }
).cache_signatures;

const homeserverKey = await SigningKey.fromPkcs8Pem(readVector("keys/stimmgabel/private_homeserver.pem"));
const homeserverPublic = await PublicKey.fromSpkiPem(readVector("keys/stimmgabel/public_homeserver.pem"));
// The strict-profile home-server cert has serial 8932489, the serial of the first two vectors.
const hsCert = await parseIdCert(readVector("certs/strict_der_form.homeserver_idcert.pem"));

const invalid = (message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof PolyprotoError, String(error));
  assert.equal(error.code, "P2CORE_INVALID_CACHEABLE_CERT");
  assert.match(error.message, message);
  return true;
};

test("cacheSignature: every signatures_derived.json vector, byte for byte (message and signature)", async () => {
  assert.equal(vectors.length, 3);
  for (const v of vectors) {
    const message = cacheSignatureMessage({
      serial: v.serial_number_decimal,
      cacheNotValidBefore: BigInt(v.cacheNotValidBefore),
      cacheNotValidAfter: BigInt(v.cacheNotValidAfter),
      invalidatedAt: v.invalidatedAt === null ? null : BigInt(v.invalidatedAt),
    });
    assert.equal(fromUtf8(message), v.signed_string);
    assert.equal(await homeserverKey.signHex(message), v.cacheSignature_hex);
    assert.ok(await homeserverPublic.verifyHex(message, v.cacheSignature_hex));
  }
  // Numbers, bigints and decimal strings give the same bytes.
  const asNumbers = cacheSignatureMessage({
    serial: 8932489n,
    cacheNotValidBefore: 1737379403,
    cacheNotValidAfter: 1737383003,
  });
  assert.equal(fromUtf8(asNumbers), "893248917373794031737383003");
  assert.throws(
    () => cacheSignatureMessage({ serial: "1", cacheNotValidBefore: -1, cacheNotValidAfter: 2 }),
    invalid(/cacheNotValidBefore/),
  );
  assert.throws(
    () => cacheSignatureMessage({ serial: "1", cacheNotValidBefore: 1.5, cacheNotValidAfter: 2 }),
    invalid(/non-negative integer/),
  );
  assert.throws(
    () => cacheSignatureMessage({ serial: "0x10", cacheNotValidBefore: 1, cacheNotValidAfter: 2 }),
    invalid(/serial/),
  );
});

test("CacheableIDCert: created over the real home-server cert, reproducing vectors 1 and 2, and verified", async () => {
  for (const v of vectors.slice(0, 2)) {
    assert.equal(v.serial_number_decimal, hsCert.serial);
    const cacheable = await createCacheableIdCert({
      idCert: hsCert,
      signingKey: homeserverKey,
      cacheNotValidBefore: Number(v.cacheNotValidBefore),
      cacheNotValidAfter: Number(v.cacheNotValidAfter),
      ...(v.invalidatedAt !== null && { invalidatedAt: Number(v.invalidatedAt) }),
    });
    assert.equal(cacheable.cacheSignature, v.cacheSignature_hex);
    assert.equal(cacheable.idCertPem, hsCert.pem);
    assert.equal("invalidatedAt" in cacheable, v.invalidatedAt !== null);
    // It travels as JSON with numbers.
    const wire = JSON.parse(JSON.stringify(cacheable)) as CacheableIdCert;
    assert.equal(typeof wire.cacheNotValidBefore, "number");
    const inside = new Date((Number(v.cacheNotValidBefore) + 60) * 1000);
    const verified = await verifyCacheableIdCert(wire, homeserverPublic, { now: inside });
    assert.equal(verified.idCert.serial, "8932489");
    assert.equal(verified.current, true);
    assert.equal(verified.cacheNotValidBefore.getTime(), Number(v.cacheNotValidBefore) * 1000);
    assert.equal(
      verified.invalidatedAt?.getTime(),
      v.invalidatedAt === null ? undefined : Number(v.invalidatedAt) * 1000,
    );
    const after = new Date((Number(v.cacheNotValidAfter) + 1) * 1000);
    assert.equal((await verifyCacheableIdCert(wire, homeserverPublic, { now: after })).current, false);
  }
});

test("CacheableIDCert: the u64 vector verifies when its times come as decimal strings (core §6.4.1's table)", async () => {
  const v = vectors[2]!;
  // A cert with that serial, issued by the stimmgabel home-server key.
  const root = await parseIdCert(readVector("certs/strict_der_form.homeserver_idcert.pem"));
  const csr = await parseIdCsr(
    (
      await createIdCsr({
        signingKey: await SigningKey.generate(),
        fid: "flori@polyphony.chat",
        sessionId: "x",
      })
    ).der,
  );
  const cert = await issueIdCert({
    csr,
    issuerKey: homeserverKey,
    rootCert: root,
    serial: v.serial_number_decimal,
    notBefore: new Date("2030-01-01T00:00:00Z"),
  });
  const wire = {
    idCertPem: cert.pem,
    cacheNotValidBefore: v.cacheNotValidBefore,
    cacheNotValidAfter: v.cacheNotValidAfter,
    cacheSignature: v.cacheSignature_hex,
  } as unknown as CacheableIdCert;
  const verified = await verifyCacheableIdCert(wire, homeserverPublic, {
    now: new Date("2030-01-02T00:00:00Z"),
  });
  assert.equal(verified.current, true);
  assert.equal(verified.idCert.serial, "11704583652649");
});

test("CacheableIDCert: any change to a signed field, the wrong key, or a malformed field is refused", async () => {
  const rootKey = await SigningKey.generate();
  const root = await createRootCert({ signingKey: rootKey, domain: "example.chat" });
  const csr = await parseIdCsr(
    (await createIdCsr({ signingKey: await SigningKey.generate(), fid: "a@example.chat", sessionId: "s" }))
      .der,
  );
  const cert = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root });
  const other = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root });
  const now = new Date();
  const good = await createCacheableIdCert({ idCert: cert, signingKey: rootKey, now });
  await verifyCacheableIdCert(good, rootKey.publicKey, { now });

  const changed: [string, CacheableIdCert, RegExp][] = [
    [
      "cacheNotValidBefore",
      { ...good, cacheNotValidBefore: good.cacheNotValidBefore - 1 },
      /does not verify/,
    ],
    [
      "cacheNotValidAfter",
      { ...good, cacheNotValidAfter: good.cacheNotValidAfter + 3600 },
      /does not verify/,
    ],
    ["invalidatedAt added", { ...good, invalidatedAt: good.cacheNotValidBefore }, /does not verify/],
    ["another cert (serial)", { ...good, idCertPem: other.pem }, /does not verify/],
    ["flipped signature", { ...good, cacheSignature: flipHex(good.cacheSignature) }, /does not verify/],
    [
      "uppercase hex",
      { ...good, cacheSignature: good.cacheSignature.toUpperCase() },
      /128 lowercase hex digits/,
    ],
    [
      "short signature",
      { ...good, cacheSignature: good.cacheSignature.slice(2) },
      /128 lowercase hex digits/,
    ],
    [
      "negative time",
      { ...good, cacheNotValidBefore: -5 },
      /cacheNotValidBefore must be a non-negative integer/,
    ],
    [
      "fractional time",
      { ...good, cacheNotValidAfter: good.cacheNotValidAfter + 0.5 },
      /cacheNotValidAfter must be/,
    ],
    [
      "window reversed",
      { ...good, cacheNotValidAfter: good.cacheNotValidBefore - 1 },
      /before cacheNotValidBefore/,
    ],
    ["no PEM", { ...good, idCertPem: undefined as unknown as string }, /idCertPem missing/],
  ];
  for (const [what, cacheable, message] of changed) {
    await assert.rejects(
      verifyCacheableIdCert(cacheable, rootKey.publicKey, { now }),
      invalid(message),
      what,
    );
  }
  const otherKey = await SigningKey.generate();
  await assert.rejects(verifyCacheableIdCert(good, otherKey.publicKey, { now }), invalid(/does not verify/));
  // Revocation is signed too: the invalidated variant verifies, and says since when.
  const revoked = await createCacheableIdCert({ idCert: cert, signingKey: rootKey, now, invalidatedAt: now });
  const verified = await verifyCacheableIdCert(revoked, rootKey.publicKey, { now });
  assert.equal(verified.invalidatedAt?.getTime(), Math.floor(now.getTime() / 1000) * 1000);
  const { invalidatedAt: _, ...hidden } = revoked;
  await assert.rejects(verifyCacheableIdCert(hidden, rootKey.publicKey, { now }), invalid(/does not verify/));
  // null from JSON means absent.
  const withNull = { ...good, invalidatedAt: null } as unknown as CacheableIdCert;
  await verifyCacheableIdCert(withNull, rootKey.publicKey, { now });
});

test("CacheableIDCert: TTL 6 h by default, 1–12 h allowed; the window helper", async () => {
  const now = new Date("2026-03-01T12:00:00.900Z");
  const base = Math.floor(now.getTime() / 1000);
  const made = await createCacheableIdCert({ idCert: hsCert, signingKey: homeserverKey, now });
  assert.equal(made.cacheNotValidBefore, base);
  assert.equal(made.cacheNotValidAfter, base + 6 * 3600);
  const short = await createCacheableIdCert({
    idCert: hsCert,
    signingKey: homeserverKey,
    now,
    ttlSeconds: 3600,
  });
  assert.equal(short.cacheNotValidAfter - short.cacheNotValidBefore, 3600);
  for (const ttlSeconds of [3599, 12 * 3600 + 1, 1.5 * 3600 + 0.5]) {
    await assert.rejects(
      createCacheableIdCert({ idCert: hsCert, signingKey: homeserverKey, now, ttlSeconds }),
      invalid(/TTL/),
    );
  }
  await assert.rejects(
    createCacheableIdCert({
      idCert: hsCert,
      signingKey: homeserverKey,
      cacheNotValidBefore: 10,
      cacheNotValidAfter: 9,
    }),
    invalid(/before cacheNotValidBefore/),
  );
  assert.equal(isCacheWindowCurrent(made, now), true);
  assert.equal(isCacheWindowCurrent(made, new Date((base + 6 * 3600) * 1000)), true);
  assert.equal(isCacheWindowCurrent(made, new Date((base + 6 * 3600 + 1) * 1000)), false);
  assert.equal(isCacheWindowCurrent(made, new Date((base - 1) * 1000)), false);
});

function flipHex(hex: string): string {
  return (hex[0] === "0" ? "1" : "0") + hex.slice(1);
}
