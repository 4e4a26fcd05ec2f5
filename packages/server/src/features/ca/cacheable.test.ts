import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createIdCsr, parseIdCsr, SigningKey, verifyCacheableIdCert } from "@p2chat/polyproto";
import { openSqliteTestStorage, type TestStorage } from "../../storage/testing.js";
import { CACHEABLE_REUSE_MS, CertificateAuthority } from "./service.js";

let storage: TestStorage;
let ca: CertificateAuthority;

before(async () => {
  storage = await openSqliteTestStorage();
  await storage.storage.accounts.create({
    fid: "alice@a.test",
    localName: "alice",
    passwordHash: "x",
    createdAt: Date.now(),
    isAdmin: false,
    totpSecret: null,
  });
  ca = await CertificateAuthority.open({
    domain: "a.test",
    dataDir: storage.dataDir,
    certValidityDays: 30,
    cacheTtlSeconds: 6 * 3600,
    serverKeys: storage.storage.serverKeys,
    idCerts: storage.storage.idCerts,
  });
});
after(() => storage.cleanup());

test("a signed CacheableIDCert is reused for a while, then signed anew; revocation and rotation sign anew", async () => {
  const key = await SigningKey.generate();
  const csr = await parseIdCsr(
    (await createIdCsr({ signingKey: key, fid: "alice@a.test", sessionId: "s1" })).pem,
  );
  const { record } = await ca.issue(csr, "alice@a.test");
  const t0 = Date.now();

  const first = await ca.cacheable(record, t0);
  assert.equal(await ca.cacheable(record, t0 + 1000), first, "reused within the reuse window");
  const later = await ca.cacheable(record, t0 + CACHEABLE_REUSE_MS + 1000);
  assert.notEqual(later.cacheNotValidBefore, first.cacheNotValidBefore, "signed anew after it");
  await verifyCacheableIdCert(later, ca.rootCert.publicKey, {
    now: new Date(t0 + CACHEABLE_REUSE_MS + 1000),
  });

  const revoked = await ca.cacheable({ ...record, invalidatedAt: t0 + 2000 }, t0 + CACHEABLE_REUSE_MS + 2000);
  assert.equal(
    revoked.invalidatedAt,
    Math.floor((t0 + 2000) / 1000),
    "a revocation is never hidden by reuse",
  );

  const root = await ca.cacheableRoot(undefined, t0);
  assert.equal(await ca.cacheableRoot(undefined, t0 + 1000), root);
  await ca.rotate(t0 + 3000);
  const afterRotation = await ca.cacheable(record, t0 + 3000);
  assert.notEqual(afterRotation.cacheSignature, later.cacheSignature, "the new root key signs");
  await verifyCacheableIdCert(afterRotation, ca.rootCert.publicKey, { now: new Date(t0 + 3000) });
  assert.notEqual((await ca.cacheableRoot(undefined, t0 + 3000)).idCertPem, root.idCertPem);
});
