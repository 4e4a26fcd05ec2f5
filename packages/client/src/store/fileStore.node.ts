/**
 * The Node store: one JSON file per record in a directory, `<dir>/<namespace>/<key>.json`.
 * Directories are created with mode 0700 and every file is written with mode 0600 — private keys and
 * tokens are secrets, and the cert cache is nobody else's business either. Writes go to a temporary
 * file first and are renamed into place, so a crash never leaves half a key.
 *
 * Selected by the `#platform/fileStore` import condition: browser bundles get a stub instead.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type RecordBackend, type RecordNamespace, RecordStore, type RecordValue } from "./store.js";

export const FILE_MODE = 0o600;
export const DIRECTORY_MODE = 0o700;

/**
 * A key as a file name: percent-encoding of everything but `[a-z0-9_@-]`, so names are reversible,
 * never `.`/`..`, and distinct on case-insensitive file systems (session IDs are case-sensitive).
 */
export function fileNameOf(key: string): string {
  let name = "";
  for (const char of key) {
    if (/^[a-z0-9_@-]$/.test(char)) name += char;
    else
      for (const byte of new TextEncoder().encode(char))
        name += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `${name}.json`;
}

function keyOf(fileName: string): string | undefined {
  if (!fileName.endsWith(".json") || fileName.startsWith(".")) return undefined;
  try {
    return decodeURIComponent(fileName.slice(0, -".json".length));
  } catch {
    return undefined;
  }
}

const isMissing = (error: unknown) => (error as { code?: string } | null)?.code === "ENOENT";

class FileBackend implements RecordBackend {
  private readonly created = new Set<string>();

  constructor(private readonly directory: string) {}

  private async namespaceDir(namespace: RecordNamespace): Promise<string> {
    const dir = join(this.directory, namespace);
    if (!this.created.has(dir)) {
      await mkdir(dir, { recursive: true, mode: DIRECTORY_MODE });
      this.created.add(dir);
    }
    return dir;
  }

  async get(namespace: RecordNamespace, key: string): Promise<RecordValue | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.directory, namespace, fileNameOf(key)), "utf8");
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as RecordValue;
    } catch {
      return undefined; // a damaged record counts as absent; the next save replaces it
    }
  }

  async put(namespace: RecordNamespace, key: string, value: RecordValue): Promise<void> {
    const dir = await this.namespaceDir(namespace);
    const path = join(dir, fileNameOf(key));
    const temporary = join(dir, `.${randomBytes(8).toString("hex")}.tmp`);
    await writeFile(temporary, JSON.stringify(value), { mode: FILE_MODE, flag: "wx" });
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async delete(namespace: RecordNamespace, key: string): Promise<void> {
    await rm(join(this.directory, namespace, fileNameOf(key)), { force: true });
  }

  async keys(namespace: RecordNamespace): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.directory, namespace));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return names.map(keyOf).filter((key): key is string => key !== undefined);
  }

  async close(): Promise<void> {}
}

export class FileStore extends RecordStore {
  /** `directory` is created (mode 0700) on the first write if it does not exist. */
  constructor(readonly directory: string) {
    super(new FileBackend(directory));
  }
}
