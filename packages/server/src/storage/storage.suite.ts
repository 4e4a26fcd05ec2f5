/**
 * One behavioural suite for every `Storage` implementation: storage.test.ts runs it on SQLite and on
 * PostgreSQL, and both must pass the same assertions. Each test uses its own actors, so the tests
 * share one database per run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Account } from "./accountStore.js";
import { guildStoresSuite } from "./guildStores.suite.js";
import type { IdCertRecord } from "./idCertStore.js";
import { messageStorageTests } from "./messageStorage.suite.js";
import type { SessionToken } from "./sessionTokenStore.js";
import type { Storage } from "./storage.js";
import type { TestStorage } from "./testing.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** A timestamp past 2^32 seconds and 2^41 ms: bigint on PostgreSQL, must come back as this number. */
const T0 = Date.UTC(2106, 1, 8, 6, 28, 16);

let counter = 0;
/** A fresh lowercase FID for one test. */
function freshFid(): string {
  counter++;
  return `actor${counter}.${process.pid}@example.chat`;
}

function account(fid: string, overrides: Partial<Account> = {}): Account {
  return {
    fid,
    localName: fid.split("@")[0]!,
    passwordHash: "scrypt$hash",
    createdAt: T0,
    isAdmin: false,
    totpSecret: null,
    ...overrides,
  };
}

let serialCounter = 1000;
function cert(fid: string, sessionId: string, overrides: Partial<IdCertRecord> = {}): IdCertRecord {
  serialCounter++;
  return {
    // Serials go up to 2^63: must round-trip exactly as text.
    serial: `92233720368547${serialCounter}`,
    fid,
    sessionId,
    certPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    publicKeyHex: "ab".repeat(32),
    notBefore: T0,
    notAfter: T0 + 30 * DAY,
    invalidatedAt: null,
    createdAt: T0,
    ...overrides,
  };
}

function token(
  fid: string,
  certSerial: string,
  tokenHash: string,
  overrides: Partial<SessionToken> = {},
): SessionToken {
  return {
    tokenHash,
    fid,
    certSerial,
    sessionId: "s1",
    foreign: false,
    expiresAt: T0 + DAY,
    createdAt: T0,
    ...overrides,
  } as SessionToken;
}

/** Runs `count` copies of `task` at once and returns their results. */
function concurrently<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => task(index)));
}

/** Defines the storage suite under `name`; `open` gives a fresh, migrated storage. */
export function storageSuite(name: string, open: () => Promise<TestStorage>): void {
  describe(`storage (${name})`, () => {
    let handle: TestStorage;
    let storage: Storage;
    before(async () => {
      handle = await open();
      storage = handle.storage;
    });
    after(async () => {
      await handle?.cleanup();
    });

    async function newAccount(overrides: Partial<Account> = {}): Promise<string> {
      const fid = freshFid();
      assert.equal(await storage.accounts.create(account(fid, overrides)), true);
      return fid;
    }

    it("answers ping and migrates idempotently", async () => {
      await storage.ping();
      await storage.migrate();
    });

    describe("accounts", () => {
      it("round-trips an account with numbers and booleans as such", async () => {
        const fid = freshFid();
        const created = account(fid, { isAdmin: true, totpSecret: "JBSWY3DPEHPK3PXP" });
        assert.equal(await storage.accounts.create(created), true);
        const found = await storage.accounts.find(fid);
        assert.deepEqual(found, created);
        assert.equal(typeof found?.createdAt, "number");
      });

      it("refuses a taken FID and a taken local name", async () => {
        const fid = await newAccount();
        assert.equal(await storage.accounts.create(account(fid, { passwordHash: "other" })), false);
        assert.equal(await storage.accounts.find(fid).then((a) => a?.passwordHash), "scrypt$hash");
        const sameLocal = account(`${fid.split("@")[0]}@other.example`);
        assert.equal(await storage.accounts.create(sameLocal), false);
      });

      it("counts accounts", async () => {
        const before = await storage.accounts.count();
        await newAccount();
        await newAccount();
        assert.equal(await storage.accounts.count(), before + 2);
      });

      it("refuses an FID that is not lowercased", async () => {
        await assert.rejects(storage.accounts.create(account("Upper@example.chat", { localName: "upper" })));
      });

      it("updates password hash, TOTP secret and admin flag, and reports unknown accounts", async () => {
        const fid = await newAccount();
        assert.equal(await storage.accounts.setPasswordHash(fid, "new"), true);
        assert.equal(await storage.accounts.setTotpSecret(fid, "SECRET"), true);
        assert.equal(await storage.accounts.setAdmin(fid, true), true);
        assert.deepEqual(await storage.accounts.find(fid), {
          ...account(fid),
          passwordHash: "new",
          totpSecret: "SECRET",
          isAdmin: true,
        });
        assert.equal(await storage.accounts.setTotpSecret(fid, null), true);
        assert.equal((await storage.accounts.find(fid))?.totpSecret, null);
        assert.equal(await storage.accounts.setAdmin("nobody@example.chat", true), false);
        assert.equal(await storage.accounts.find("nobody@example.chat"), undefined);
      });
    });

    describe("registration invites", () => {
      it("refuses a duplicate code and lists newest first", async () => {
        const code = `inv-${freshFid()}`;
        const invite = {
          code,
          createdByFid: "admin@example.chat",
          usesLeft: 2,
          expiresAt: null,
          createdAt: T0,
        };
        assert.equal(await storage.registrationInvites.create(invite), true);
        assert.equal(await storage.registrationInvites.create({ ...invite, usesLeft: 9 }), false);
        assert.deepEqual(await storage.registrationInvites.find(code), invite);
        const newer = { ...invite, code: `${code}-newer`, createdAt: T0 + 1 };
        await storage.registrationInvites.create(newer);
        const listed = (await storage.registrationInvites.list()).filter((i) => i.code.startsWith(code));
        assert.deepEqual(listed, [newer, invite]);
      });

      it("lets exactly one of many concurrent redeems take the last use", async () => {
        const code = `last-${freshFid()}`;
        await storage.registrationInvites.create({
          code,
          createdByFid: "admin@example.chat",
          usesLeft: 1,
          expiresAt: T0 + DAY,
          createdAt: T0,
        });
        const results = await concurrently(12, () => storage.registrationInvites.redeem(code, T0));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await storage.registrationInvites.find(code))?.usesLeft, 0);
      });

      it("redeems unlimited codes without counting, and never expired or unknown ones", async () => {
        const code = `unlimited-${freshFid()}`;
        await storage.registrationInvites.create({
          code,
          createdByFid: "admin@example.chat",
          usesLeft: null,
          expiresAt: T0 + MINUTE,
          createdAt: T0,
        });
        assert.equal(await storage.registrationInvites.redeem(code, T0), true);
        assert.equal(await storage.registrationInvites.redeem(code, T0), true);
        assert.equal((await storage.registrationInvites.find(code))?.usesLeft, null);
        assert.equal(await storage.registrationInvites.redeem(code, T0 + MINUTE), false);
        assert.equal(await storage.registrationInvites.redeem("no-such-code", T0), false);
        assert.equal(await storage.registrationInvites.delete(code), true);
        assert.equal(await storage.registrationInvites.delete(code), false);
      });
    });

    describe("ID-Certs", () => {
      it("round-trips a cert with a serial beyond 2^53", async () => {
        const fid = await newAccount();
        const issued = cert(fid, "s1", { invalidatedAt: null });
        assert.equal(await storage.idCerts.insert(issued, T0), "inserted");
        assert.deepEqual(await storage.idCerts.find(issued.serial), issued);
        assert.equal(await storage.idCerts.find("1"), undefined);
      });

      it("keeps a session ID unique among the actor's valid certs", async () => {
        const fid = await newAccount();
        const other = await newAccount();
        const first = cert(fid, "phone");
        assert.equal(await storage.idCerts.insert(first, T0), "inserted");
        assert.equal(await storage.idCerts.insert(cert(fid, "phone"), T0 + MINUTE), "session-in-use");
        // Another actor may use the same session ID.
        assert.equal(await storage.idCerts.insert(cert(other, "phone"), T0), "inserted");
        // Free again once the cert is invalidated ...
        assert.equal(await storage.idCerts.invalidate(first.serial, T0 + MINUTE), true);
        assert.equal(await storage.idCerts.invalidate(first.serial, T0 + 2 * MINUTE), false);
        const second = cert(fid, "phone");
        assert.equal(await storage.idCerts.insert(second, T0 + 2 * MINUTE), "inserted");
        // ... or expired.
        assert.equal(await storage.idCerts.insert(cert(fid, "phone"), second.notAfter), "inserted");
      });

      it("refuses a serial that exists", async () => {
        const fid = await newAccount();
        const issued = cert(fid, "a");
        await storage.idCerts.insert(issued, T0);
        assert.equal(await storage.idCerts.insert({ ...issued, sessionId: "b" }, T0), "serial-in-use");
      });

      it("lets exactly one of many concurrent issues for one session ID win", async () => {
        const fid = await newAccount();
        const results = await concurrently(8, () => storage.idCerts.insert(cert(fid, "race"), T0));
        assert.equal(results.filter((r) => r === "inserted").length, 1);
        assert.equal(results.filter((r) => r === "session-in-use").length, 7);
        assert.equal((await storage.idCerts.listValid(fid, T0)).length, 1);
      });

      it("lists the certs valid at a time and finds one by session", async () => {
        const fid = await newAccount();
        const a = cert(fid, "a", { notBefore: T0, notAfter: T0 + DAY });
        const b = cert(fid, "b", { notBefore: T0 + MINUTE, notAfter: T0 + 2 * DAY });
        await storage.idCerts.insert(a, T0);
        await storage.idCerts.insert(b, T0);
        assert.deepEqual(await storage.idCerts.listValid(fid, T0), [a]);
        assert.deepEqual(await storage.idCerts.listValid(fid, T0 + MINUTE), [a, b]);
        assert.deepEqual(await storage.idCerts.listValid(fid, T0 + DAY), [b]);
        await storage.idCerts.invalidate(b.serial, T0 + DAY + MINUTE);
        assert.deepEqual(await storage.idCerts.listValid(fid, T0 + DAY + MINUTE), []);
        // Before its invalidation the cert was valid, and stays so for that moment.
        assert.deepEqual(await storage.idCerts.findValidForSession(fid, "b", T0 + DAY), {
          ...b,
          invalidatedAt: T0 + DAY + MINUTE,
        });
        assert.equal(await storage.idCerts.findValidForSession(fid, "b", T0 + DAY + MINUTE), undefined);
        // The full history keeps revoked and expired certs.
        assert.deepEqual(await storage.idCerts.list(fid), [a, { ...b, invalidatedAt: T0 + DAY + MINUTE }]);
        assert.deepEqual(await storage.idCerts.list("nobody@example.chat"), []);
      });

      it("refuses a cert for an actor without an account", async () => {
        await assert.rejects(storage.idCerts.insert(cert("ghost@example.chat", "s"), T0));
      });
    });

    describe("session tokens", () => {
      it("round-trips local and foreign tokens", async () => {
        const local = token(freshFid(), "11", `hash-${counter}-local`);
        const foreign: SessionToken = {
          ...token(freshFid(), "12", `hash-${counter}-foreign`),
          foreign: true,
          certPem: "-----BEGIN CERTIFICATE-----\n",
          homeDomain: "b.test",
        };
        await storage.sessionTokens.put(local);
        await storage.sessionTokens.put(foreign);
        assert.deepEqual(await storage.sessionTokens.findLive(local.tokenHash, T0), local);
        assert.deepEqual(await storage.sessionTokens.findLive(foreign.tokenHash, T0), foreign);
      });

      it("replaces the live token of the same cert on insert", async () => {
        const fid = freshFid();
        await storage.sessionTokens.put(token(fid, "21", `old-${fid}`));
        await storage.sessionTokens.put(token(fid, "22", `other-cert-${fid}`));
        await storage.sessionTokens.put(token(fid, "21", `new-${fid}`, { expiresAt: T0 + 2 * DAY }));
        assert.equal(await storage.sessionTokens.findLive(`old-${fid}`, T0), undefined);
        assert.equal((await storage.sessionTokens.findLive(`new-${fid}`, T0))?.expiresAt, T0 + 2 * DAY);
        assert.notEqual(await storage.sessionTokens.findLive(`other-cert-${fid}`, T0), undefined);
      });

      it("leaves exactly one live token after concurrent inserts for one cert", async () => {
        const fid = freshFid();
        await concurrently(8, (i) => storage.sessionTokens.put(token(fid, "31", `race-${i}-${fid}`)));
        const live = await concurrently(8, (i) => storage.sessionTokens.findLive(`race-${i}-${fid}`, T0));
        assert.equal(live.filter(Boolean).length, 1);
      });

      it("hides expired tokens and deletes by hash, by cert and by expiry", async () => {
        const fid = freshFid();
        await storage.sessionTokens.put(token(fid, "41", `a-${fid}`, { expiresAt: T0 + MINUTE }));
        await storage.sessionTokens.put(token(fid, "42", `b-${fid}`, { expiresAt: T0 + MINUTE }));
        await storage.sessionTokens.put(token(fid, "43", `c-${fid}`, { expiresAt: T0 + MINUTE }));
        assert.equal(await storage.sessionTokens.findLive(`a-${fid}`, T0 + MINUTE), undefined);
        assert.equal(await storage.sessionTokens.delete(`a-${fid}`), true);
        assert.equal(await storage.sessionTokens.delete(`a-${fid}`), false);
        assert.equal(await storage.sessionTokens.deleteForCert(fid, "42"), 1);
        assert.equal(await storage.sessionTokens.findLive(`b-${fid}`, T0), undefined);
        assert.ok((await storage.sessionTokens.deleteExpired(T0 + MINUTE)) >= 1);
        assert.equal(await storage.sessionTokens.findLive(`c-${fid}`, T0), undefined);
      });
    });

    describe("challenges", () => {
      it("lets exactly one of many concurrent consumers win", async () => {
        const challenge = `c${"x".repeat(60)}${++counter}`;
        assert.equal(await storage.challenges.create({ challenge, expiresAt: T0 + 5 * MINUTE }), true);
        assert.equal(await storage.challenges.create({ challenge, expiresAt: T0 + 5 * MINUTE }), false);
        const results = await concurrently(16, () => storage.challenges.consume(challenge, T0));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await storage.challenges.consume(challenge, T0), false);
      });

      it("refuses expired and unknown challenges and deletes expired ones", async () => {
        const challenge = `e${"y".repeat(60)}${++counter}`;
        await storage.challenges.create({ challenge, expiresAt: T0 + 5 * MINUTE });
        assert.equal(await storage.challenges.consume(challenge, T0 + 5 * MINUTE), false);
        assert.equal(await storage.challenges.consume("unknown", T0), false);
        assert.ok((await storage.challenges.deleteExpired(T0 + 5 * MINUTE)) >= 1);
        assert.equal(await storage.challenges.create({ challenge, expiresAt: T0 + 10 * MINUTE }), true);
      });
    });

    describe("key trials", () => {
      it("records once per challenge and lists with filters, oldest first", async () => {
        const fid = freshFid();
        const trials = [0, 1, 2].map((i) => ({
          challenge: `kt-${fid}-${i}`,
          fid,
          certSerial: "51",
          signature: "cd".repeat(64),
          completedAt: T0 + i * MINUTE,
        }));
        for (const trial of [trials[2]!, trials[0]!, trials[1]!]) {
          assert.equal(await storage.keyTrials.record(trial), true);
        }
        assert.equal(await storage.keyTrials.record(trials[0]!), false);
        assert.deepEqual(await storage.keyTrials.list(fid), trials);
        assert.deepEqual(await storage.keyTrials.list(fid, { notBefore: T0 + MINUTE }), trials.slice(1));
        assert.deepEqual(await storage.keyTrials.list(fid, { notAfter: T0 + MINUTE }), trials.slice(0, 2));
        assert.deepEqual(await storage.keyTrials.list(fid, { limit: 1 }), trials.slice(0, 1));
        assert.deepEqual(await storage.keyTrials.list(fid, { challenge: trials[2]!.challenge }), [trials[2]]);
        assert.deepEqual(await storage.keyTrials.list("nobody@example.chat"), []);
      });
    });

    describe("services", () => {
      it("makes the first provider primary and refuses duplicates", async () => {
        const fid = await newAccount();
        const first = await storage.services.add({
          fid,
          service: "chat",
          url: "https://a.example",
          createdAt: T0,
        });
        const second = await storage.services.add({
          fid,
          service: "chat",
          url: "https://b.example",
          createdAt: T0 + 1,
        });
        const mls = await storage.services.add({
          fid,
          service: "mls",
          url: "https://b.example",
          createdAt: T0 + 2,
        });
        assert.equal(first?.primary, true);
        assert.equal(second?.primary, false);
        assert.equal(mls?.primary, true);
        assert.equal(
          await storage.services.add({ fid, service: "chat", url: "https://a.example", createdAt: T0 }),
          undefined,
        );
        assert.deepEqual(await storage.services.list(fid), [first, second, mls]);
        assert.deepEqual(await storage.services.list(fid, "mls"), [mls]);
      });

      it("swaps the primary provider in one step", async () => {
        const fid = await newAccount();
        await storage.services.add({ fid, service: "chat", url: "https://a.example", createdAt: T0 });
        await storage.services.add({ fid, service: "chat", url: "https://b.example", createdAt: T0 + 1 });
        const swap = await storage.services.setPrimary(fid, "chat", "https://b.example");
        assert.deepEqual(swap?.previous && { url: swap.previous.url, primary: swap.previous.primary }, {
          url: "https://a.example",
          primary: false,
        });
        assert.deepEqual(swap && { url: swap.current.url, primary: swap.current.primary }, {
          url: "https://b.example",
          primary: true,
        });
        const listed = await storage.services.list(fid, "chat");
        assert.deepEqual(
          listed.map((s) => [s.url, s.primary]),
          [
            ["https://b.example", true],
            ["https://a.example", false],
          ],
        );
        // Setting the current primary again changes nothing and reports no previous one.
        assert.equal(
          (await storage.services.setPrimary(fid, "chat", "https://b.example"))?.previous,
          undefined,
        );
        assert.equal(await storage.services.setPrimary(fid, "chat", "https://nowhere.example"), undefined);
      });

      it("keeps exactly one primary under concurrent swaps", async () => {
        const fid = await newAccount();
        const urls = ["https://a.example", "https://b.example", "https://c.example"];
        for (const [i, url] of urls.entries()) {
          await storage.services.add({ fid, service: "chat", url, createdAt: T0 + i });
        }
        await concurrently(9, (i) => storage.services.setPrimary(fid, "chat", urls[i % 3]!));
        const primaries = (await storage.services.list(fid, "chat")).filter((s) => s.primary);
        assert.equal(primaries.length, 1);
      });

      it("promotes the oldest remaining provider when the primary is removed", async () => {
        const fid = await newAccount();
        await storage.services.add({ fid, service: "chat", url: "https://a.example", createdAt: T0 });
        await storage.services.add({ fid, service: "chat", url: "https://c.example", createdAt: T0 + 2 });
        await storage.services.add({ fid, service: "chat", url: "https://b.example", createdAt: T0 + 1 });
        const removed = await storage.services.remove(fid, "chat", "https://a.example");
        assert.equal(removed?.removed.url, "https://a.example");
        assert.equal(removed?.newPrimary?.url, "https://b.example");
        const notPrimary = await storage.services.remove(fid, "chat", "https://c.example");
        assert.equal(notPrimary?.newPrimary, undefined);
        assert.equal(
          (await storage.services.remove(fid, "chat", "https://b.example"))?.newPrimary,
          undefined,
        );
        assert.equal(await storage.services.remove(fid, "chat", "https://b.example"), undefined);
        assert.deepEqual(await storage.services.list(fid), []);
      });
    });

    describe("key material", () => {
      it("stores once per cert, lists, deletes and sums sizes", async () => {
        const fid = await newAccount();
        const other = await newAccount();
        assert.equal(await storage.keyMaterial.totalSize(fid), 0);
        const a = { fid, certSerial: "61", material: "QUJD".repeat(10), createdAt: T0 };
        const b = { fid, certSerial: "62", material: "REVG".repeat(25), createdAt: T0 };
        assert.equal(await storage.keyMaterial.put(a), true);
        assert.equal(await storage.keyMaterial.put(b), true);
        assert.equal(await storage.keyMaterial.put({ ...a, material: "eA==" }), false);
        await storage.keyMaterial.put({
          fid: other,
          certSerial: "63",
          material: "x".repeat(1000),
          createdAt: T0,
        });
        assert.equal(await storage.keyMaterial.totalSize(fid), 140);
        assert.deepEqual(await storage.keyMaterial.list(fid), [a, b]);
        assert.deepEqual(await storage.keyMaterial.list(fid, ["62", "63"]), [b]);
        assert.deepEqual(await storage.keyMaterial.list(fid, []), []);
        assert.equal(await storage.keyMaterial.delete(fid, ["61", "63"]), 1);
        assert.equal(await storage.keyMaterial.totalSize(fid), 100);
        assert.equal(await storage.keyMaterial.totalSize(other), 1000);
      });
    });

    describe("server keys", () => {
      it("keeps one current root cert and the history", async () => {
        assert.equal(await storage.serverKeys.current(), undefined);
        const first = { serial: "71", certPem: "pem-71", notBefore: T0, notAfter: T0 + 365 * DAY };
        const second = { serial: "72", certPem: "pem-72", notBefore: T0 + DAY, notAfter: T0 + 366 * DAY };
        assert.equal(await storage.serverKeys.insertCurrent(first), true);
        assert.deepEqual(await storage.serverKeys.current(), {
          ...first,
          invalidatedAt: null,
          current: true,
        });
        assert.equal(await storage.serverKeys.insertCurrent(second), true);
        assert.equal(await storage.serverKeys.insertCurrent(second), false);
        assert.equal((await storage.serverKeys.current())?.serial, "72");
        assert.equal((await storage.serverKeys.find("71"))?.current, false);
        assert.deepEqual(
          (await storage.serverKeys.list()).map((k) => [k.serial, k.current]),
          [
            ["72", true],
            ["71", false],
          ],
        );
        assert.equal((await storage.serverKeys.validAt(T0))?.serial, "71");
        assert.equal((await storage.serverKeys.validAt(T0 + DAY))?.serial, "72");
        assert.equal(await storage.serverKeys.validAt(T0 - 1), undefined);
        assert.equal(await storage.serverKeys.invalidate("72", T0 + 2 * DAY), true);
        assert.equal(await storage.serverKeys.invalidate("72", T0 + 2 * DAY), false);
        assert.equal((await storage.serverKeys.validAt(T0 + 2 * DAY))?.serial, "71");
        assert.equal((await storage.serverKeys.validAt(T0 + DAY))?.serial, "72");
      });
    });

    describe("foreign certs", () => {
      it("caches, refreshes and hands out only fresh entries", async () => {
        const fid = "bob@b.test";
        const entry = {
          domain: "b.test",
          serial: "81",
          fid,
          cacheableJson: '{"idCertPem":"…"}',
          fetchedAt: T0,
          cacheNotValidAfter: T0 + 6 * 60 * MINUTE,
        };
        await storage.foreignCerts.put(entry);
        assert.deepEqual(await storage.foreignCerts.findFresh("b.test", "81", T0), entry);
        assert.equal(await storage.foreignCerts.findFresh("c.test", "81", T0), undefined);
        assert.equal(
          await storage.foreignCerts.findFresh("b.test", "81", entry.cacheNotValidAfter),
          undefined,
        );
        const refreshed = { ...entry, fetchedAt: T0 + DAY, cacheNotValidAfter: T0 + 2 * DAY };
        await storage.foreignCerts.put(refreshed);
        assert.deepEqual(await storage.foreignCerts.findFresh("b.test", "81", T0 + DAY), refreshed);
        const other = { ...entry, serial: "82", fetchedAt: T0 + 2, cacheNotValidAfter: T0 + MINUTE };
        await storage.foreignCerts.put(other);
        assert.deepEqual(await storage.foreignCerts.listFresh(fid, T0), [refreshed, other]);
        assert.deepEqual(await storage.foreignCerts.listFresh(fid, T0 + MINUTE), [refreshed]);
        assert.ok((await storage.foreignCerts.deleteStale(T0 + MINUTE)) >= 1);
        assert.equal(await storage.foreignCerts.findFresh("b.test", "82", T0), undefined);
      });
    });

    describe("transactions", () => {
      it("commits every write of the work together", async () => {
        const fid = freshFid();
        const code = `tx-${fid}`;
        await storage.registrationInvites.create({
          code,
          createdByFid: "a@b.c",
          usesLeft: 1,
          expiresAt: null,
          createdAt: T0,
        });
        await storage.transaction(async (tx) => {
          assert.equal(await tx.registrationInvites.redeem(code, T0), true);
          assert.equal(await tx.accounts.create(account(fid)), true);
          // Store methods that open their own transaction join the caller's.
          assert.equal(await tx.idCerts.insert(cert(fid, "s"), T0), "inserted");
        });
        assert.notEqual(await storage.accounts.find(fid), undefined);
        assert.equal((await storage.registrationInvites.find(code))?.usesLeft, 0);
      });

      it("rolls back every write when the work throws", async () => {
        const fid = freshFid();
        const code = `rollback-${fid}`;
        await storage.registrationInvites.create({
          code,
          createdByFid: "a@b.c",
          usesLeft: 1,
          expiresAt: null,
          createdAt: T0,
        });
        await assert.rejects(
          storage.transaction(async (tx) => {
            await tx.registrationInvites.redeem(code, T0);
            await tx.accounts.create(account(fid));
            throw new Error("changed my mind");
          }),
          /changed my mind/,
        );
        assert.equal(await storage.accounts.find(fid), undefined);
        assert.equal((await storage.registrationInvites.find(code))?.usesLeft, 1);
      });
    });

    guildStoresSuite(() => storage);
    messageStorageTests(() => storage);
  });
}
