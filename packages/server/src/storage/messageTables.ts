/**
 * The tables of migration 0003 as Kysely sees them (the message side of chat). Kept beside
 * `schema.ts` rather than in it: the message stores widen their `Kysely<Database>` with
 * `withTables<MessageTables>()`. Same conventions: camelCase here, snake_case in SQL, bigint unix-ms
 * times read as numbers, flags 0/1. Nothing outside storage/ sees these.
 */
import type { Kysely } from "kysely";
import type { Database, Flag } from "./schema.js";

export interface MessagesTable {
  id: string;
  channelId: string;
  authorFid: string;
  nonce: string;
  envelope: string;
  signature: string;
  receivedAt: number;
  editEnvelope: string | null;
  editSignature: string | null;
  editTs: number | null;
  deleted: Flag;
  pinnedAt: number | null;
  system: Flag;
  replyTo: string | null;
  mentionEveryone: Flag;
}

export interface MessageMentionsTable {
  messageId: string;
  channelId: string;
  fid: string;
}

export interface MessageReactionsTable {
  messageId: string;
  emoji: string;
  fid: string;
  channelId: string;
  envelope: string;
  signature: string;
  createdAt: number;
}

export interface ReadStatesTable {
  fid: string;
  channelId: string;
  lastReadId: string;
  updatedAt: number;
}

export interface AttachmentsTable {
  id: string;
  uploaderFid: string;
  contentType: string;
  size: number;
  filename: string | null;
  createdAt: number;
  messageId: string | null;
  channelId: string | null;
}

export type MessageTables = {
  messages: MessagesTable;
  messageMentions: MessageMentionsTable;
  messageReactions: MessageReactionsTable;
  readStates: ReadStatesTable;
  attachments: AttachmentsTable;
};

export type MessageDatabase = Database & MessageTables;

/** The shared handle, widened by the message tables. */
export function withMessageTables(db: Kysely<Database>): Kysely<MessageDatabase> {
  return db.withTables<MessageTables>() as unknown as Kysely<MessageDatabase>;
}

/** `inTransaction` (database.ts) for the widened handle: joins the caller's transaction if there is one. */
export function inMessageTransaction<T>(
  db: Kysely<MessageDatabase>,
  work: (trx: Kysely<MessageDatabase>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
