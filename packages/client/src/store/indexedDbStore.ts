/**
 * The browser store: one IndexedDB database with one object store of records keyed by
 * `[namespace, key]`. Works wherever `indexedDB` exists (browsers, workers; fake-indexeddb in tests).
 *
 * Keys are kept as PKCS#8 bytes (the SDK signs through the platform's Ed25519 from them); a later
 * version may keep non-extractable WebCrypto keys instead.
 */
import { clientError } from "../errors.js";
import { type RecordBackend, type RecordNamespace, RecordStore, type RecordValue } from "./store.js";

export const DEFAULT_DATABASE_NAME = "p2chat-client";
const OBJECT_STORE = "records";

export interface IndexedDbStoreOptions {
  /** Database name; one per app (or per profile), `p2chat-client` by default. */
  readonly name?: string;
  /** The IndexedDB factory; `globalThis.indexedDB` by default. */
  readonly indexedDB?: IDBFactory;
  /** The matching `IDBKeyRange`; `globalThis.IDBKeyRange` by default. */
  readonly IDBKeyRange?: typeof IDBKeyRange;
}

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

class IndexedDbBackend implements RecordBackend {
  private database: Promise<IDBDatabase> | undefined;

  constructor(
    private readonly name: string,
    private readonly factory: IDBFactory | undefined,
    private readonly keyRange: typeof IDBKeyRange | undefined,
  ) {}

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise((resolve, reject) => {
      if (!this.factory) {
        reject(
          clientError(
            "P2CLIENT_UNSUPPORTED_PLATFORM",
            "IndexedDB is not available here (use FileStore in Node)",
          ),
        );
        return;
      }
      const request = this.factory.open(this.name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error(`IndexedDB ${this.name} is blocked by another connection`));
    });
    return this.database;
  }

  private async run<T>(
    mode: IDBTransactionMode,
    action: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> {
    const database = await this.open();
    const transaction = database.transaction(OBJECT_STORE, mode);
    const result = promised(action(transaction.objectStore(OBJECT_STORE)));
    // Resolve once the transaction is committed, not merely when the request succeeded.
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB transaction aborted"));
    });
    return result;
  }

  async get(namespace: RecordNamespace, key: string): Promise<RecordValue | undefined> {
    return (await this.run("readonly", (store) => store.get([namespace, key]))) as RecordValue | undefined;
  }

  async put(namespace: RecordNamespace, key: string, value: RecordValue): Promise<void> {
    await this.run("readwrite", (store) => store.put(value, [namespace, key]));
  }

  async delete(namespace: RecordNamespace, key: string): Promise<void> {
    await this.run("readwrite", (store) => store.delete([namespace, key]));
  }

  async keys(namespace: RecordNamespace): Promise<string[]> {
    // Arrays sort after strings in IndexedDB's key order, so [namespace, []] bounds every [namespace, key].
    if (!this.keyRange)
      throw clientError("P2CLIENT_UNSUPPORTED_PLATFORM", "IDBKeyRange is not available here");
    const range = this.keyRange.bound([namespace], [namespace, []]);
    const keys = await this.run("readonly", (store) => store.getAllKeys(range));
    return keys.map((key) => (key as [string, string])[1]);
  }

  async close(): Promise<void> {
    const database = this.database;
    this.database = undefined;
    if (database) (await database).close();
  }
}

export class IndexedDbStore extends RecordStore {
  constructor(options: IndexedDbStoreOptions = {}) {
    super(
      new IndexedDbBackend(
        options.name ?? DEFAULT_DATABASE_NAME,
        options.indexedDB ?? globalThis.indexedDB,
        options.IDBKeyRange ?? globalThis.IDBKeyRange,
      ),
    );
  }
}
