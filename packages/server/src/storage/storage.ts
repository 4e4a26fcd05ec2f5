/**
 * Everything the server keeps, behind one interface per model. Features and services depend on
 * `Storage` (or the single stores they need), never on Kysely or SQL.
 *
 * Conventions of every store: FIDs and domains are passed normalised (lowercase, as
 * `parseFederationId` returns them); times are unix milliseconds; serials are decimal strings.
 */
import { type Kysely, sql } from "kysely";
import { type AccountStore, KyselyAccountStore } from "./accountStore.js";
import { type BanStore, KyselyBanStore } from "./banStore.js";
import { type ChannelStore, KyselyChannelStore } from "./channelStore.js";
import { type ChallengeStore, KyselyChallengeStore } from "./challengeStore.js";
import { type DatabaseOptions, type Dialect, openDatabase } from "./database.js";
import { type ForeignCertStore, KyselyForeignCertStore } from "./foreignCertStore.js";
import { type GuildInviteStore, KyselyGuildInviteStore } from "./guildInviteStore.js";
import { type GuildStore, KyselyGuildStore } from "./guildStore.js";
import { type IdCertStore, KyselyIdCertStore } from "./idCertStore.js";
import { type KeyMaterialStore, KyselyKeyMaterialStore } from "./keyMaterialStore.js";
import { type KeyTrialStore, KyselyKeyTrialStore } from "./keyTrialStore.js";
import { KyselyMemberStore, type MemberStore } from "./memberStore.js";
import { type AttachmentStore, KyselyAttachmentStore } from "./attachmentStore.js";
import { KyselyMessageStore, type MessageStore } from "./messageStore.js";
import { KyselyReactionStore, type ReactionStore } from "./reactionStore.js";
import { KyselyReadStateStore, type ReadStateStore } from "./readStateStore.js";
import { migrateToLatest } from "./migrations/index.js";
import type { Database } from "./schema.js";
import { KyselyRegistrationInviteStore, type RegistrationInviteStore } from "./registrationInviteStore.js";
import { KyselyRoleStore, type RoleStore } from "./roleStore.js";
import { KyselyServerKeyStore, type ServerKeyStore } from "./serverKeyStore.js";
import { KyselyServiceStore, type ServiceStore } from "./serviceStore.js";
import { KyselySessionTokenStore, type SessionTokenStore } from "./sessionTokenStore.js";

export interface Stores {
  readonly accounts: AccountStore;
  readonly registrationInvites: RegistrationInviteStore;
  readonly idCerts: IdCertStore;
  readonly sessionTokens: SessionTokenStore;
  readonly challenges: ChallengeStore;
  readonly keyTrials: KeyTrialStore;
  readonly services: ServiceStore;
  readonly keyMaterial: KeyMaterialStore;
  readonly serverKeys: ServerKeyStore;
  readonly foreignCerts: ForeignCertStore;
  readonly guilds: GuildStore;
  readonly channels: ChannelStore;
  readonly roles: RoleStore;
  readonly members: MemberStore;
  readonly bans: BanStore;
  readonly guildInvites: GuildInviteStore;
  readonly messages: MessageStore;
  readonly reactions: ReactionStore;
  readonly readStates: ReadStateStore;
  readonly attachments: AttachmentStore;
}

export interface Storage extends Stores {
  readonly dialect: Dialect;
  /**
   * Runs `work` in one transaction over every store: all its writes happen or none do (e.g. create
   * an account and redeem its invite). Rethrows what `work` throws, after rolling back.
   */
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
  /** Brings the schema up to date (idempotent; concurrent starts are serialised on PostgreSQL). */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Closes the database (SQLite: checkpoints the WAL into the file; PostgreSQL: ends the pool). */
  close(): Promise<void>;
}

function storesOver(db: Kysely<Database>): Stores {
  return {
    accounts: new KyselyAccountStore(db),
    registrationInvites: new KyselyRegistrationInviteStore(db),
    idCerts: new KyselyIdCertStore(db),
    sessionTokens: new KyselySessionTokenStore(db),
    challenges: new KyselyChallengeStore(db),
    keyTrials: new KyselyKeyTrialStore(db),
    services: new KyselyServiceStore(db),
    keyMaterial: new KyselyKeyMaterialStore(db),
    serverKeys: new KyselyServerKeyStore(db),
    foreignCerts: new KyselyForeignCertStore(db),
    guilds: new KyselyGuildStore(db),
    channels: new KyselyChannelStore(db),
    roles: new KyselyRoleStore(db),
    members: new KyselyMemberStore(db),
    bans: new KyselyBanStore(db),
    guildInvites: new KyselyGuildInviteStore(db),
    messages: new KyselyMessageStore(db),
    reactions: new KyselyReactionStore(db),
    readStates: new KyselyReadStateStore(db),
    attachments: new KyselyAttachmentStore(db),
  };
}

/** Opens the configured database (SQLite in `dataDir` unless a PostgreSQL URL is given). */
export function openStorage(options: DatabaseOptions): Storage {
  const { db, dialect } = openDatabase(options);
  return {
    ...storesOver(db),
    dialect,
    transaction: (work) => db.transaction().execute((trx) => work(storesOver(trx))),
    migrate: () => migrateToLatest(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
