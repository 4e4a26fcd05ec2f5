/** The behaviour every `ClientStore` must have; `store.test.ts` runs it on each implementation. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CacheableIdCert } from "@p2chat/polyproto";
import type { ClientStore } from "./store.js";

const cacheable = (pem: string, invalidatedAt?: number): CacheableIdCert => ({
  idCertPem: pem,
  cacheNotValidBefore: 1_700_000_000,
  cacheNotValidAfter: 1_700_021_600,
  cacheSignature: "ab".repeat(64),
  ...(invalidatedAt !== undefined && { invalidatedAt }),
});

export function storeSuite(name: string, open: () => Promise<ClientStore>): void {
  test(`${name}: a session round-trips (key bytes, cert, home) and is listed newest first`, async () => {
    const store = await open();
    const key = Uint8Array.from({ length: 48 }, (_, i) => i);
    await store.saveSession({
      fid: "alice@a.test",
      sessionId: "laptop",
      homeDomain: "a.test",
      privateKey: key,
      idCertPem: "PEM1",
      savedAt: 1,
    });
    await store.saveSession({
      fid: "alice@a.test",
      sessionId: "Phone/2",
      homeDomain: "a.test",
      privateKey: key,
      idCertPem: "PEM2",
      savedAt: 2,
    });
    await store.saveSession({
      fid: "bob@b.test",
      sessionId: "s1",
      homeDomain: "b.test",
      privateKey: key,
      idCertPem: "PEM3",
      savedAt: 3,
    });
    const loaded = await store.loadSession("alice@a.test", "laptop");
    assert.deepEqual(loaded, {
      fid: "alice@a.test",
      sessionId: "laptop",
      homeDomain: "a.test",
      privateKey: key,
      idCertPem: "PEM1",
      savedAt: 1,
    });
    assert.ok(loaded?.privateKey instanceof Uint8Array);
    assert.deepEqual(
      (await store.listSessions("alice@a.test")).map((s) => s.sessionId),
      ["Phone/2", "laptop"],
    );
    assert.equal((await store.listSessions()).length, 3);
    assert.equal(
      await store.loadSession("alice@a.test", "LAPTOP"),
      undefined,
      "session IDs are case-sensitive",
    );
    await store.close();
  });

  test(`${name}: tokens are per session and per server; deleting a session deletes its tokens`, async () => {
    const store = await open();
    const key = new Uint8Array(48);
    await store.saveSession({
      fid: "alice@a.test",
      sessionId: "s1",
      homeDomain: "a.test",
      privateKey: key,
      idCertPem: "P",
      savedAt: 1,
    });
    await store.saveSession({
      fid: "alice@a.test",
      sessionId: "s10",
      homeDomain: "a.test",
      privateKey: key,
      idCertPem: "P",
      savedAt: 1,
    });
    await store.saveToken("alice@a.test", "s1", "a.test", "home-token");
    await store.saveToken("alice@a.test", "s1", "b.test", "foreign-token");
    await store.saveToken("alice@a.test", "s10", "a.test", "other-session");
    assert.equal(await store.loadToken("alice@a.test", "s1", "b.test"), "foreign-token");
    await store.saveToken("alice@a.test", "s1", "b.test", "replaced");
    assert.equal(await store.loadToken("alice@a.test", "s1", "b.test"), "replaced");
    await store.deleteToken("alice@a.test", "s1", "b.test");
    assert.equal(await store.loadToken("alice@a.test", "s1", "b.test"), undefined);
    await store.deleteSession("alice@a.test", "s1");
    assert.equal(await store.loadSession("alice@a.test", "s1"), undefined);
    assert.equal(await store.loadToken("alice@a.test", "s1", "a.test"), undefined);
    assert.equal(
      await store.loadToken("alice@a.test", "s10", "a.test"),
      "other-session",
      "another session's tokens stay",
    );
    await store.close();
  });

  test(`${name}: server roots and actor certs are cached by domain and serial`, async () => {
    const store = await open();
    await store.saveServerRoot({ domain: "a.test", cacheable: cacheable("ROOT"), fetchedAt: 5 });
    assert.deepEqual(await store.loadServerRoot("a.test"), {
      domain: "a.test",
      cacheable: cacheable("ROOT"),
      fetchedAt: 5,
    });
    await store.deleteServerRoot("a.test");
    assert.equal(await store.loadServerRoot("a.test"), undefined);

    await store.saveActorCert({
      fid: "alice@a.test",
      serial: "9223372036854775807",
      cacheable: cacheable("A"),
      fetchedAt: 7,
    });
    await store.saveActorCert({
      fid: "alice@a.test",
      serial: "9223372036854775807",
      cacheable: cacheable("A", 1_700_000_100),
      fetchedAt: 8,
    });
    const cert = await store.loadActorCert("a.test", "9223372036854775807");
    assert.deepEqual(cert, {
      fid: "alice@a.test",
      serial: "9223372036854775807",
      cacheable: cacheable("A", 1_700_000_100),
      fetchedAt: 8,
    });
    assert.equal(await store.loadActorCert("b.test", "9223372036854775807"), undefined);
    await store.deleteActorCert("a.test", "9223372036854775807");
    assert.equal(await store.loadActorCert("a.test", "9223372036854775807"), undefined);
    await store.close();
  });

  test(`${name}: what is loaded is a copy`, async () => {
    const store = await open();
    await store.saveServerRoot({ domain: "a.test", cacheable: cacheable("ROOT"), fetchedAt: 5 });
    const first = await store.loadServerRoot("a.test");
    (first as { fetchedAt: number }).fetchedAt = 99;
    assert.equal((await store.loadServerRoot("a.test"))?.fetchedAt, 5);
    await store.close();
  });
}
