/** Browsers have no file system: `FileStore` exists so the API is the same, and says so when used. */
import { clientError } from "../errors.js";
import { type RecordBackend, RecordStore } from "./store.js";

const unavailable = (): never => {
  throw clientError("P2CLIENT_UNSUPPORTED_PLATFORM", "FileStore needs Node; in a browser use IndexedDbStore");
};

const noBackend: RecordBackend = {
  get: async () => unavailable(),
  put: async () => unavailable(),
  delete: async () => unavailable(),
  keys: async () => unavailable(),
  close: async () => {},
};

export class FileStore extends RecordStore {
  constructor(readonly directory: string) {
    super(noBackend);
    unavailable();
  }
}
