/** Accounts of actors whose home server this is (polyproto-auth, PROFILE §3). */
import type { Kysely, Selectable } from "kysely";
import { toFlag } from "./database.js";
import type { AccountsTable, Database } from "./schema.js";

export interface Account {
  /** Lowercased FID, `localName@domain` (PROFILE §1). */
  readonly fid: string;
  readonly localName: string;
  readonly passwordHash: string;
  readonly createdAt: number;
  readonly isAdmin: boolean;
  /** Base32 TOTP secret when the actor enabled TOTP for sensitive actions. */
  readonly totpSecret: string | null;
}

export interface AccountStore {
  /** Inserts a new account; false when the FID or local name is taken. */
  create(account: Account): Promise<boolean>;
  /** The account with this FID, or undefined. */
  find(fid: string): Promise<Account | undefined>;
  /** How many accounts exist. */
  count(): Promise<number>;
  /** Replaces the password hash; false when there is no such account. */
  setPasswordHash(fid: string, passwordHash: string): Promise<boolean>;
  /** Sets or clears (null) the TOTP secret; false when there is no such account. */
  setTotpSecret(fid: string, totpSecret: string | null): Promise<boolean>;
  /** Grants or revokes server administration; false when there is no such account. */
  setAdmin(fid: string, isAdmin: boolean): Promise<boolean>;
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return { ...row, isAdmin: row.isAdmin === 1 };
}

export class KyselyAccountStore implements AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(account: Account): Promise<boolean> {
    const result = await this.db
      .insertInto("accounts")
      .values({ ...account, isAdmin: toFlag(account.isAdmin) })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(fid: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom("accounts").selectAll().where("fid", "=", fid).executeTakeFirst();
    return row && toAccount(row);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll<number>().as("accounts"))
      .executeTakeFirstOrThrow();
    return Number(row.accounts);
  }

  async setPasswordHash(fid: string, passwordHash: string): Promise<boolean> {
    return this.update(fid, { passwordHash });
  }

  async setTotpSecret(fid: string, totpSecret: string | null): Promise<boolean> {
    return this.update(fid, { totpSecret });
  }

  async setAdmin(fid: string, isAdmin: boolean): Promise<boolean> {
    return this.update(fid, { isAdmin: toFlag(isAdmin) });
  }

  private async update(
    fid: string,
    changes: Partial<Pick<AccountsTable, "passwordHash" | "totpSecret" | "isAdmin">>,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("accounts")
      .set(changes)
      .where("fid", "=", fid)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
