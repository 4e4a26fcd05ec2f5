/** Discoverable services of this server's actors (core §9, OpenAPI `Models.Service`). */
import type { Kysely, Selectable } from "kysely";
import { inTransaction, lockAccount } from "./database.js";
import type { Database, ServicesTable } from "./schema.js";

export interface ServiceEntry {
  readonly fid: string;
  /** Service namespace, e.g. `chat`. */
  readonly service: string;
  /** Base URL of the provider, without `/.p2/<service>`. */
  readonly url: string;
  readonly primary: boolean;
  readonly createdAt: number;
}

export interface ServiceStore {
  /**
   * Adds a provider for the actor's service. The first provider of a service becomes its primary;
   * later ones do not (core §9.1.1: changing the primary is a separate, sensitive action).
   * Returns the stored entry, or undefined when that (fid, service, url) exists.
   */
  add(entry: Omit<ServiceEntry, "primary">): Promise<ServiceEntry | undefined>;
  /** The actor's providers, of one service or all; per service the primary first, then oldest first. */
  list(fid: string, service?: string): Promise<ServiceEntry[]>;
  /**
   * Makes `url` the primary provider of the actor's service, the previous primary losing the flag in
   * the same transaction. Undefined when that provider does not exist.
   */
  setPrimary(
    fid: string,
    service: string,
    url: string,
  ): Promise<{ previous: ServiceEntry | undefined; current: ServiceEntry } | undefined>;
  /**
   * Removes a provider. When it was the primary and others remain, the oldest remaining one becomes
   * primary (in the same transaction) and is returned as `newPrimary`. Undefined when it did not exist.
   */
  remove(
    fid: string,
    service: string,
    url: string,
  ): Promise<{ removed: ServiceEntry; newPrimary: ServiceEntry | undefined } | undefined>;
}

function toEntry(row: Selectable<ServicesTable>): ServiceEntry {
  const { isPrimary, ...rest } = row;
  return { ...rest, primary: isPrimary === 1 };
}

export class KyselyServiceStore implements ServiceStore {
  constructor(private readonly db: Kysely<Database>) {}

  add(entry: Omit<ServiceEntry, "primary">): Promise<ServiceEntry | undefined> {
    return inTransaction(this.db, async (trx) => {
      await lockAccount(trx, entry.fid);
      const primary = await this.primaryOf(trx, entry.fid, entry.service);
      const row = { ...entry, isPrimary: primary ? 0 : 1 } as const;
      const result = await trx
        .insertInto("services")
        .values(row)
        .onConflict((conflict) => conflict.doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? toEntry(row) : undefined;
    });
  }

  async list(fid: string, service?: string): Promise<ServiceEntry[]> {
    let select = this.db.selectFrom("services").selectAll().where("fid", "=", fid);
    if (service !== undefined) select = select.where("service", "=", service);
    const rows = await select
      .orderBy("service")
      .orderBy("isPrimary", "desc")
      .orderBy("createdAt")
      .orderBy("url")
      .execute();
    return rows.map(toEntry);
  }

  setPrimary(fid: string, service: string, url: string) {
    return inTransaction(this.db, async (trx) => {
      await lockAccount(trx, fid);
      const target = await this.find(trx, fid, service, url);
      if (!target) return undefined;
      const previous = await this.primaryOf(trx, fid, service);
      if (previous && previous.url !== url) {
        await this.setFlag(trx, previous, 0);
      }
      await this.setFlag(trx, target, 1);
      return {
        previous: previous && previous.url !== url ? { ...previous, primary: false } : undefined,
        current: { ...target, primary: true },
      };
    });
  }

  remove(fid: string, service: string, url: string) {
    return inTransaction(this.db, async (trx) => {
      await lockAccount(trx, fid);
      const removed = await this.find(trx, fid, service, url);
      if (!removed) return undefined;
      await trx
        .deleteFrom("services")
        .where("fid", "=", fid)
        .where("service", "=", service)
        .where("url", "=", url)
        .execute();
      let newPrimary: ServiceEntry | undefined;
      if (removed.primary) {
        const next = await trx
          .selectFrom("services")
          .selectAll()
          .where("fid", "=", fid)
          .where("service", "=", service)
          .orderBy("createdAt")
          .orderBy("url")
          .executeTakeFirst();
        if (next) {
          newPrimary = { ...toEntry(next), primary: true };
          await this.setFlag(trx, newPrimary, 1);
        }
      }
      return { removed, newPrimary };
    });
  }

  private async find(trx: Kysely<Database>, fid: string, service: string, url: string) {
    const row = await trx
      .selectFrom("services")
      .selectAll()
      .where("fid", "=", fid)
      .where("service", "=", service)
      .where("url", "=", url)
      .executeTakeFirst();
    return row && toEntry(row);
  }

  private async primaryOf(trx: Kysely<Database>, fid: string, service: string) {
    const row = await trx
      .selectFrom("services")
      .selectAll()
      .where("fid", "=", fid)
      .where("service", "=", service)
      .where("isPrimary", "=", 1)
      .executeTakeFirst();
    return row && toEntry(row);
  }

  private async setFlag(trx: Kysely<Database>, entry: ServiceEntry, isPrimary: 0 | 1): Promise<void> {
    await trx
      .updateTable("services")
      .set({ isPrimary })
      .where("fid", "=", entry.fid)
      .where("service", "=", entry.service)
      .where("url", "=", entry.url)
      .execute();
  }
}
