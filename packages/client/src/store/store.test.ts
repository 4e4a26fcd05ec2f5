import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { FileStore } from "#platform/fileStore";
import { fileNameOf } from "./fileStore.node.js";
import { IndexedDbStore } from "./indexedDbStore.js";
import { MemoryStore } from "./memoryStore.js";
import { storeSuite } from "./store.suite.js";

const directories: string[] = [];
after(async () => {
  for (const dir of directories) await rm(dir, { recursive: true, force: true });
});
async function freshDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "p2client-store-"));
  directories.push(dir);
  return join(dir, "store");
}

storeSuite("MemoryStore", async () => new MemoryStore());
storeSuite("FileStore", async () => new FileStore(await freshDirectory()));
// fake-indexeddb: one factory per store, so every run starts from an empty database.
storeSuite("IndexedDbStore", async () => new IndexedDbStore({ indexedDB: new IDBFactory(), IDBKeyRange }));

test("FileStore: keys and tokens are files of mode 0600 in directories of mode 0700", async () => {
  const dir = await freshDirectory();
  const store = new FileStore(dir);
  await store.saveSession({
    fid: "alice@a.test",
    sessionId: "laptop",
    homeDomain: "a.test",
    privateKey: new Uint8Array(48),
    idCertPem: "P",
    savedAt: 1,
  });
  await store.saveToken("alice@a.test", "laptop", "b.test", "secret");
  for (const namespace of ["keys", "sessions", "tokens"]) {
    const names = await readdir(join(dir, namespace));
    assert.equal(names.length, 1, `one file in ${namespace}, no temporary left: ${names}`);
    assert.equal((await stat(join(dir, namespace, names[0]!))).mode & 0o777, 0o600, namespace);
    assert.equal((await stat(join(dir, namespace))).mode & 0o777, 0o700, `${namespace}/`);
  }
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  // A store opened again on the directory finds everything.
  const again = new FileStore(dir);
  assert.equal((await again.loadSession("alice@a.test", "laptop"))?.idCertPem, "P");
  assert.equal(await again.loadToken("alice@a.test", "laptop", "b.test"), "secret");
});

test("FileStore: file names are reversible, never dot names, and differ by case", () => {
  assert.equal(fileNameOf("alice@a.test laptop"), "alice@a%2Etest%20laptop.json");
  assert.equal(fileNameOf(".."), "%2E%2E.json");
  assert.notEqual(fileNameOf("a.test s1"), fileNameOf("a.test S1"));
  assert.equal(fileNameOf("x/y"), "x%2Fy.json");
  assert.equal(decodeURIComponent(fileNameOf("é ü").slice(0, -5)), "é ü");
});
