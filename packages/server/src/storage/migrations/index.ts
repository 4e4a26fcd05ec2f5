/**
 * Every migration, in order, imported statically: no directory scan at run time, so they work the same
 * under tsx, a bundler or compiled output. Add a file `NNNN_name.ts` and list it here; never edit one
 * that has shipped.
 */
import { type Kysely, type Migration, Migrator } from "kysely";
import type { Database } from "../schema.js";
import * as core from "./0001_core.js";
import * as guilds from "./0002_guilds.js";
import * as messages from "./0003_messages.js";

const MIGRATIONS: Record<string, Migration> = {
  "0001_core": core,
  "0002_guilds": guilds,
  "0003_messages": messages,
};

/** Brings the schema up to date; throws when a migration fails (nothing half-applied on PostgreSQL). */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      failed ? `migration ${failed} failed: ${reason}` : `cannot migrate the database: ${reason}`,
      {
        cause: error,
      },
    );
  }
}
