/**
 * Fresh, migrated storage for tests: SQLite in a temporary directory, and PostgreSQL in a new database
 * with a random name when `P2_TEST_DATABASE_URL` names a server (an account allowed to create
 * databases). `cleanup()` closes the storage and removes the file or drops the database.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStorage, type Storage } from "./storage.js";

export interface TestStorage {
  readonly storage: Storage;
  /** The data directory the storage was opened with (holds the SQLite file for SQLite). */
  readonly dataDir: string;
  cleanup(): Promise<void>;
}

export interface TestStorageTarget {
  readonly name: "sqlite" | "postgres";
  open(): Promise<TestStorage>;
}

/** A migrated SQLite database in a new temporary directory. */
export async function openSqliteTestStorage(): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), "p2-test-"));
  const storage = openStorage({ dataDir });
  await storage.migrate();
  return {
    storage,
    dataDir,
    cleanup: async () => {
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function withAdmin(adminUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** An empty PostgreSQL database `p2test_<random>`, created through `adminUrl`; `drop()` removes it. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `p2test_${randomBytes(8).toString("hex")}`;
  await withAdmin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin(adminUrl, `drop database if exists ${name} with (force)`) };
}

/** A migrated PostgreSQL database `p2test_<random>`, created through `adminUrl` and dropped after. */
export async function openPostgresTestStorage(adminUrl: string): Promise<TestStorage> {
  const database = await createTestDatabase(adminUrl);
  const dataDir = await mkdtemp(join(tmpdir(), "p2-test-"));
  const storage = openStorage({ databaseUrl: database.url, dataDir });
  const cleanup = async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
  };
  try {
    await storage.migrate();
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { storage, dataDir, cleanup };
}

/** SQLite always; PostgreSQL too when `P2_TEST_DATABASE_URL` is set. */
export function testStorageTargets(env: NodeJS.ProcessEnv = process.env): TestStorageTarget[] {
  const targets: TestStorageTarget[] = [{ name: "sqlite", open: openSqliteTestStorage }];
  const adminUrl = env.P2_TEST_DATABASE_URL;
  if (adminUrl) targets.push({ name: "postgres", open: () => openPostgresTestStorage(adminUrl) });
  return targets;
}
