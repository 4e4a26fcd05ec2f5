/** A store in memory: for tests and short-lived tools. Values are copied in and out, as on disk. */
import { type RecordBackend, type RecordNamespace, RecordStore, type RecordValue } from "./store.js";

class MemoryBackend implements RecordBackend {
  private readonly records = new Map<RecordNamespace, Map<string, RecordValue>>();

  private namespace(namespace: RecordNamespace): Map<string, RecordValue> {
    let records = this.records.get(namespace);
    if (!records) {
      records = new Map();
      this.records.set(namespace, records);
    }
    return records;
  }

  async get(namespace: RecordNamespace, key: string): Promise<RecordValue | undefined> {
    const value = this.namespace(namespace).get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async put(namespace: RecordNamespace, key: string, value: RecordValue): Promise<void> {
    this.namespace(namespace).set(key, structuredClone(value));
  }

  async delete(namespace: RecordNamespace, key: string): Promise<void> {
    this.namespace(namespace).delete(key);
  }

  async keys(namespace: RecordNamespace): Promise<string[]> {
    return [...this.namespace(namespace).keys()];
  }

  async close(): Promise<void> {}
}

export class MemoryStore extends RecordStore {
  constructor() {
    super(new MemoryBackend());
  }
}
