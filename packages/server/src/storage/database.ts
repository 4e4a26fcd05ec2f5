/**
 * Opens the database the configuration names: unset URL → SQLite file `<dataDir>/p2.sqlite`
 * (better-sqlite3), `postgres://…` → PostgreSQL (pg pool). Both behind one Kysely<Database>.
 */
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, sql } from "kysely";
import pg from "pg";
import type { Database, Flag } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface DatabaseOptions {
  /** `postgres://…` or unset for SQLite in `dataDir`. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
  /** Told about errors on idle PostgreSQL connections (the next query fails and reports them too). */
  readonly onIdleError?: (error: Error) => void;
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
}

export const SQLITE_FILE_NAME = "p2.sqlite";

/** Where the SQLite database of a data directory lives. */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

const INT8_OID = 20;

/**
 * pg returns int8 (bigint) as a string, because it may exceed 2^53. Our bigint columns hold unix-ms
 * timestamps and counts, far below that, so read them as numbers — and refuse rather than round.
 */
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`bigint ${value} does not fit a JavaScript number`);
  return parsed;
}

const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** How many prepared SQLite statements are kept (Kysely's SQL differs only by IN-list lengths). */
const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely asks better-sqlite3 to prepare every query anew, and SQLite's parse and plan then cost about
 * as much as running the query. Keeps the prepared statements of recently used SQL texts (the least
 * recently used goes first). Safe because Kysely runs each statement to completion (`all` or `run`)
 * before it prepares the next on this single connection; the stores never stream (`iterate`).
 */
function withStatementCache(file: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => file.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql); // re-inserted below: most recently used last
      } else {
        statement = file.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/** Opens (but does not migrate) the database named by the options. */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  const plugins = [new CamelCasePlugin()];
  if (options.databaseUrl === undefined) {
    const file = new SQLite(sqliteFile(options.dataDir));
    file.pragma("journal_mode = WAL");
    file.pragma("foreign_keys = ON");
    file.pragma("busy_timeout = 5000");
    return {
      db: new Kysely<Database>({
        dialect: new SqliteDialect({ database: withStatementCache(file) }),
        plugins,
      }),
      dialect: "sqlite",
    };
  }
  if (/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, types: pgTypes });
    pool.on("error", (error) => options.onIdleError?.(error));
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins }),
      dialect: "postgres",
    };
  }
  throw new Error("database URL must start with postgres:// (or be unset for SQLite)");
}

/**
 * Runs `work` in a transaction, or inside the caller's when `db` already is one (Kysely has no nested
 * transactions), so a store method keeps its guarantees when a service composes several stores.
 */
export function inTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/**
 * Serialises transactions about one actor: a no-op update takes the account row's write lock on
 * PostgreSQL (SQLite already runs one transaction at a time). Portable, unlike `SELECT … FOR UPDATE`.
 * Needed where a check and a write must agree, e.g. "session ID free" then "insert cert".
 */
export async function lockAccount(trx: Kysely<Database>, fid: string): Promise<void> {
  await trx
    .updateTable("accounts")
    .set({ fid: sql.ref("fid") })
    .where("fid", "=", fid)
    .execute();
}

export function toFlag(value: boolean): Flag {
  return value ? 1 : 0;
}
