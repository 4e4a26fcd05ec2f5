/**
 * The message side of the `chat` service (PROFILE §6, §7, §7.1): signed messages, edits and
 * reactions, deletion, history, pins, typing and read states, with their gateway events (PROFILE §5,
 * `chat` ops 0, 1, 2, 9, 10, 11, 18, 19). Who may see and do what in a channel comes from the guild
 * side through `ChatAccess`; this service never looks at guilds, roles or members itself.
 *
 * Order of checks, the same in every write: the channel must be visible (else 404 — existence never
 * leaks), then the envelope's shape and claims (400/403), the permission (403), the body (400), the
 * signature (403), and only then the database.
 */
import { ChatOp, hasPermission, newNonce, Permission } from "@p2chat/polyproto";
import { ulidFactory } from "./ids.js";
import { P2Error } from "../../http/errors.js";
import type { MessageRecord, MessageStore } from "../../storage/messageStore.js";
import type { ReactionStore } from "../../storage/reactionStore.js";
import type { ReadStateStore } from "../../storage/readStateStore.js";
import type { ChannelView, ChatAccess } from "../chat/access.js";
import type { Session } from "../sessions/service.js";
import { MAX_ENVELOPE_BYTES, readEditBody, readMessageBody, readReactionBody } from "./messageBody.js";
import { messageObject } from "./messageJson.js";
import type { HistoryQuery, Reaction, ReadState, ReactorsQuery } from "./schemas.js";
import {
  type AuthorKeys,
  type ParsedWrite,
  parseWrite,
  staleError,
  type VerifiedWrite,
  verifyWrite,
} from "./signedWrite.js";

/** Discord's limit, and a sane one: pins are a short list. */
export const MAX_PINS = 50;
/** Distinct emoji on one message. */
export const MAX_REACTION_EMOJI = 20;
export const DEFAULT_PAGE = 50;

export interface MessageView {
  readonly record: MessageRecord;
  readonly reactions: readonly Reaction[];
}

/** A signed write's outcome: `created` false when it repeated one already stored (200, not 201). */
export interface WriteOutcome<T> {
  readonly created: boolean;
  readonly value: T;
}

export interface SignedInput {
  readonly envelope: unknown;
  readonly signature: string;
}

export interface Reactor {
  readonly fid: string;
  readonly envelope: string;
  readonly signature: string;
  readonly createdAt: number;
}

/** Where events go: the gateway hub's `publish`. */
export interface ChatEvents {
  publish(topic: string, n: "chat", op: number, d: unknown): Promise<void>;
}

/** Removes attachment files whose rows are gone. */
export interface AttachmentFileRemover {
  remove(ids: readonly string[]): Promise<void>;
}

export interface MessageServiceOptions {
  readonly domain: string;
  /** PROFILE §4: 4,000 by default (`messageMaxChars`). */
  readonly messageMaxChars: number;
  readonly access: ChatAccess;
  readonly messages: MessageStore;
  readonly reactions: ReactionStore;
  readonly readStates: ReadStateStore;
  readonly keys: AuthorKeys;
  readonly events: ChatEvents;
  readonly files: AttachmentFileRemover;
  /** Told when an event could not be published (the write itself stands). */
  readonly onEventError?: (error: unknown) => void;
}

const missing = (what: string) =>
  new P2Error(403, "P2CHAT_MISSING_PERMISSION", `missing permission: ${what}`);
const notFound = (what: string) => new P2Error(404, "P2CHAT_NOT_FOUND", `unknown ${what}`);

function require(view: ChannelView, permission: bigint, name: string): void {
  if (!hasPermission(view.permissions, permission)) throw missing(name);
}

/** `guildId` in event payloads, only for guild channels. */
function guildOf(view: ChannelView): { guildId?: string } {
  return view.guildId === undefined ? {} : { guildId: view.guildId };
}

export class MessageService {
  private readonly nextId = ulidFactory();
  private readonly outbox: { topic: string; op: number; d: unknown }[] = [];

  constructor(private readonly options: MessageServiceOptions) {}

  /** The conversation address of a channel of this server (PROFILE §7.1). */
  address(channelId: string): string {
    return `chat:channel:${this.options.domain}/${channelId}`;
  }

  /** POST /channels/{id}/messages: a signed `chat.message`. */
  async create(
    session: Session,
    channelId: string,
    input: SignedInput,
    now = Date.now(),
  ): Promise<WriteOutcome<MessageView>> {
    const { access, messages, messageMaxChars } = this.options;
    const view = await access.channelFor(session.fid, channelId);
    const write = parseWrite(session, input, { kind: "chat.message", to: this.address(channelId), now });
    require(view, Permission.SEND_MESSAGES, "SEND_MESSAGES");
    const content = readMessageBody(write.envelope.body, session.fid, {
      encrypted: view.encrypted,
      maxChars: messageMaxChars,
    });
    if (content.attachmentIds.length > 0) require(view, Permission.ATTACH_FILES, "ATTACH_FILES");
    if (content.mentionEveryone) require(view, Permission.MENTION_EVERYONE, "MENTION_EVERYONE");
    const verified = await this.verify(session, write);
    if (verified.stale) return { created: false, value: await this.storedRetry(session, verified) };
    if (content.replyTo !== null) {
      const target = await messages.find(content.replyTo);
      if (!target || target.channelId !== channelId || target.deleted) {
        throw new P2Error(
          400,
          "P2CHAT_INVALID_REPLY",
          "envelope.body.replyTo: no such message in this channel",
        );
      }
    }
    const record: MessageRecord = {
      id: this.nextId(now),
      channelId,
      authorFid: session.fid,
      nonce: verified.envelope.nonce,
      envelope: verified.canonical,
      signature: verified.signature,
      receivedAt: now,
      edit: null,
      deleted: false,
      pinnedAt: null,
      system: false,
      replyTo: content.replyTo,
      mentionEveryone: content.mentionEveryone,
    };
    const result = await messages.insert({
      ...record,
      mentions: content.mentions,
      attachmentIds: content.attachmentIds,
    });
    if (result.outcome === "attachments-unavailable") {
      throw new P2Error(
        400,
        "P2CHAT_INVALID_ATTACHMENT",
        "envelope.body.attachments: each must be an upload of the author not used by another message",
      );
    }
    if (result.outcome === "duplicate")
      return { created: false, value: await this.retryOf(session, result.existing, verified) };
    await this.publish(view.topic, ChatOp.MessageCreate, messageObject(record, [], verified.envelope));
    return { created: true, value: { record, reactions: [] } };
  }

  /** A stale write is fine only as a retry of the message stored with its nonce. */
  private async storedRetry(session: Session, write: VerifiedWrite): Promise<MessageView> {
    const existing = await this.options.messages.findByNonce(session.fid, write.envelope.nonce);
    if (!existing || existing.envelope !== write.canonical || existing.signature !== write.signature)
      throw staleError();
    return this.retryOf(session, existing, write);
  }

  /** PROFILE §6: the same (author, nonce) returns the stored message — if it is the same message. */
  private async retryOf(
    session: Session,
    existing: MessageRecord,
    write: VerifiedWrite,
  ): Promise<MessageView> {
    if (existing.deleted || existing.envelope !== write.canonical || existing.signature !== write.signature) {
      throw new P2Error(
        409,
        "P2CHAT_NONCE_REUSED",
        existing.deleted
          ? "this nonce belonged to a message that was deleted"
          : "this nonce was used by another message of the author",
      );
    }
    return this.withReactions(existing, session.fid);
  }

  private async verify(session: Session, write: ParsedWrite): Promise<VerifiedWrite> {
    const verified = await verifyWrite(this.options.keys, session, write);
    // UTF-16 length ≤ UTF-8 bytes ≤ 3 × UTF-16 length: count bytes only when it could matter.
    if (
      verified.canonical.length * 3 > MAX_ENVELOPE_BYTES &&
      Buffer.byteLength(verified.canonical) > MAX_ENVELOPE_BYTES
    ) {
      throw new P2Error(
        413,
        "P2CHAT_ENVELOPE_TOO_LARGE",
        `an envelope may have at most ${MAX_ENVELOPE_BYTES} bytes`,
      );
    }
    return verified;
  }

  /** GET /channels/{id}/messages: newest first; `before`, `after` or `around` one message. */
  async history(session: Session, channelId: string, query: HistoryQuery): Promise<MessageView[]> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    require(view, Permission.READ_MESSAGE_HISTORY, "READ_MESSAGE_HISTORY");
    const limit = query.limit ?? DEFAULT_PAGE;
    const anchors = [query.before, query.after, query.around].filter((a) => a !== undefined).length;
    if (anchors > 1)
      throw new P2Error(400, "P2CORE_INVALID_REQUEST", "give at most one of before, after and around");
    const { messages } = this.options;
    let records: MessageRecord[];
    if (query.around !== undefined) {
      // The message itself (when it exists) and up to limit/2 older, the rest newer.
      const newer = await messages.page(channelId, { after: query.around, limit: Math.floor(limit / 2) });
      const older = await messages.page(channelId, {
        before: query.around,
        inclusive: true,
        limit: limit - newer.length,
      });
      records = [...newer, ...older];
    } else {
      records = await messages.page(channelId, { before: query.before, after: query.after, limit });
    }
    return this.withReactionsAll(records, session.fid);
  }

  /** PATCH /channels/{id}/messages/{messageId}: a signed `chat.edit` of the caller's own message. */
  async edit(
    session: Session,
    channelId: string,
    messageId: string,
    input: SignedInput,
    now = Date.now(),
  ): Promise<WriteOutcome<MessageView>> {
    const { access, messages, messageMaxChars } = this.options;
    const view = await access.channelFor(session.fid, channelId);
    const write = parseWrite(session, input, { kind: "chat.edit", to: this.address(channelId), now });
    const body = readEditBody(write.envelope.body, { encrypted: view.encrypted, maxChars: messageMaxChars });
    if (body.messageId !== messageId) {
      throw new P2Error(
        400,
        "P2CORE_INVALID_ENVELOPE",
        `envelope.body.messageId: must be ${messageId} (the route's)`,
      );
    }
    const record = await this.liveMessage(channelId, messageId);
    if (record.authorFid !== session.fid) {
      throw new P2Error(403, "P2CHAT_NOT_AUTHOR", "only the author may edit a message");
    }
    const verified = await this.verify(session, write);
    const edit = { envelope: verified.canonical, signature: verified.signature, ts: verified.envelope.ts };
    const repeated = record.edit?.envelope === edit.envelope && record.edit.signature === edit.signature;
    if (repeated) return { created: false, value: await this.withReactions(record, session.fid) };
    if (verified.stale) throw staleError();
    if (record.edit && edit.ts < record.edit.ts) {
      throw new P2Error(
        409,
        "P2CHAT_EDIT_OUTDATED",
        "a newer edit of this message is stored (envelope.ts is older)",
      );
    }
    if (!(await messages.setEdit(messageId, edit))) {
      const current = await messages.find(messageId);
      if (!current || current.deleted) throw notFound("message");
      throw new P2Error(409, "P2CHAT_EDIT_OUTDATED", "a newer edit of this message is stored");
    }
    const edited: MessageRecord = { ...record, edit };
    await this.publish(view.topic, ChatOp.MessageUpdate, {
      id: messageId,
      channelId,
      ...guildOf(view),
      edit: { envelope: verified.envelope, signature: verified.signature },
    });
    return { created: true, value: await this.withReactions(edited, session.fid) };
  }

  /** DELETE /channels/{id}/messages/{messageId}: the author, or MANAGE_MESSAGES. */
  async delete(session: Session, channelId: string, messageId: string): Promise<void> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    const record = await this.liveMessage(channelId, messageId);
    if (record.authorFid !== session.fid) require(view, Permission.MANAGE_MESSAGES, "MANAGE_MESSAGES");
    const result = await this.options.messages.delete(messageId);
    if (!result.deleted) throw notFound("message");
    await this.options.files.remove(result.attachmentIds);
    await this.publish(view.topic, ChatOp.MessageDelete, { id: messageId, channelId, ...guildOf(view) });
    if (record.pinnedAt !== null) await this.publishPins(view, messageId, false);
  }

  /** PUT …/reactions/{emoji}: a signed `chat.reaction`; ADD_REACTIONS. */
  async addReaction(
    session: Session,
    channelId: string,
    messageId: string,
    emoji: string,
    input: SignedInput,
    now = Date.now(),
  ): Promise<WriteOutcome<Reaction>> {
    const { access, reactions } = this.options;
    const view = await access.channelFor(session.fid, channelId);
    const write = parseWrite(session, input, { kind: "chat.reaction", to: this.address(channelId), now });
    require(view, Permission.ADD_REACTIONS, "ADD_REACTIONS");
    readReactionBody(write.envelope.body, messageId, emoji);
    await this.liveMessage(channelId, messageId);
    const verified = await this.verify(session, write);
    const existing = await reactions.find(messageId, emoji, session.fid);
    if (existing) {
      // PUT is idempotent: an existing reaction stays as it was signed first.
      return { created: false, value: { emoji, count: await reactions.count(messageId, emoji), me: true } };
    }
    if (verified.stale) throw staleError();
    if (
      (await reactions.countEmoji(messageId)) >= MAX_REACTION_EMOJI &&
      (await reactions.count(messageId, emoji)) === 0
    ) {
      throw new P2Error(
        400,
        "P2CHAT_TOO_MANY_REACTIONS",
        `a message has at most ${MAX_REACTION_EMOJI} different emoji`,
      );
    }
    const outcome = await reactions.add({
      messageId,
      emoji,
      fid: session.fid,
      channelId,
      envelope: verified.canonical,
      signature: verified.signature,
      createdAt: now,
    });
    if (outcome === "no-message") throw notFound("message");
    const count = await reactions.count(messageId, emoji);
    if (outcome === "exists") return { created: false, value: { emoji, count, me: true } };
    await this.publish(view.topic, ChatOp.ReactionAdd, {
      channelId,
      ...guildOf(view),
      messageId,
      emoji,
      fid: session.fid,
      count,
      envelope: verified.envelope,
      signature: verified.signature,
    });
    return { created: true, value: { emoji, count, me: true } };
  }

  /** DELETE …/reactions/{emoji}: the caller's own, or another actor's with MANAGE_MESSAGES. */
  async removeReaction(
    session: Session,
    channelId: string,
    messageId: string,
    emoji: string,
    fid: string = session.fid,
  ): Promise<void> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    if (fid !== session.fid) require(view, Permission.MANAGE_MESSAGES, "MANAGE_MESSAGES");
    await this.liveMessage(channelId, messageId);
    if (!(await this.options.reactions.remove(messageId, emoji, fid))) return;
    const count = await this.options.reactions.count(messageId, emoji);
    await this.publish(view.topic, ChatOp.ReactionRemove, {
      channelId,
      ...guildOf(view),
      messageId,
      emoji,
      fid,
      count,
    });
  }

  /** GET …/reactions/{emoji}: who reacted, with their signed reactions (READ_MESSAGE_HISTORY). */
  async reactors(
    session: Session,
    channelId: string,
    messageId: string,
    emoji: string,
    query: ReactorsQuery,
  ): Promise<Reactor[]> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    require(view, Permission.READ_MESSAGE_HISTORY, "READ_MESSAGE_HISTORY");
    await this.liveMessage(channelId, messageId);
    const rows = await this.options.reactions.list(
      messageId,
      emoji,
      query.after,
      query.limit ?? DEFAULT_PAGE,
    );
    return rows.map(({ fid, envelope, signature, createdAt }) => ({ fid, envelope, signature, createdAt }));
  }

  /** PUT /channels/{id}/pins/{messageId} (MANAGE_MESSAGES); pinning a pinned message changes nothing. */
  async pin(session: Session, channelId: string, messageId: string, now = Date.now()): Promise<void> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    require(view, Permission.MANAGE_MESSAGES, "MANAGE_MESSAGES");
    const record = await this.liveMessage(channelId, messageId);
    if (record.pinnedAt !== null) return;
    if ((await this.options.messages.countPins(channelId)) >= MAX_PINS) {
      throw new P2Error(409, "P2CHAT_PIN_LIMIT", `a channel has at most ${MAX_PINS} pinned messages`);
    }
    if (await this.options.messages.setPinned(messageId, now))
      await this.publishPins(view, messageId, true, now);
  }

  /** DELETE /channels/{id}/pins/{messageId} (MANAGE_MESSAGES). */
  async unpin(session: Session, channelId: string, messageId: string): Promise<void> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    require(view, Permission.MANAGE_MESSAGES, "MANAGE_MESSAGES");
    await this.liveMessage(channelId, messageId);
    if (await this.options.messages.setPinned(messageId, null))
      await this.publishPins(view, messageId, false);
  }

  /** GET /channels/{id}/pins: most recently pinned first (READ_MESSAGE_HISTORY). */
  async pins(session: Session, channelId: string): Promise<MessageView[]> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    require(view, Permission.READ_MESSAGE_HISTORY, "READ_MESSAGE_HISTORY");
    return this.withReactionsAll(await this.options.messages.pins(channelId), session.fid);
  }

  private async publishPins(
    view: ChannelView,
    messageId: string,
    pinned: boolean,
    now?: number,
  ): Promise<void> {
    const latest = pinned ? undefined : (await this.options.messages.pins(view.channelId))[0];
    await this.publish(view.topic, ChatOp.ChannelPinsUpdate, {
      channelId: view.channelId,
      ...guildOf(view),
      messageId,
      pinned,
      lastPinAt: pinned ? (now ?? Date.now()) : (latest?.pinnedAt ?? null),
    });
  }

  /** POST /channels/{id}/typing (SEND_MESSAGES): TypingStart to the channel. */
  async typing(session: Session, channelId: string, now = Date.now()): Promise<void> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    require(view, Permission.SEND_MESSAGES, "SEND_MESSAGES");
    await this.publish(view.topic, ChatOp.TypingStart, {
      channelId,
      ...guildOf(view),
      fid: session.fid,
      timestamp: now,
    });
  }

  /** POST /channels/{id}/ack {messageId}: the caller's read state; ReadStateUpdate to their sessions. */
  async ack(session: Session, channelId: string, messageId: string, now = Date.now()): Promise<ReadState> {
    const view = await this.options.access.channelFor(session.fid, channelId);
    const record = await this.options.messages.find(messageId);
    if (!record || record.channelId !== channelId) throw notFound("message");
    await this.options.readStates.set({ fid: session.fid, channelId, lastReadId: messageId, updatedAt: now });
    const state = await this.readState(session.fid, view, messageId);
    await this.publish(`actor:${session.fid}`, ChatOp.ReadStateUpdate, state);
    return state;
  }

  /**
   * GET /users/@me/read-states: channels the caller acknowledged or was mentioned in by FID, that
   * they still see, with unread and mention counts.
   */
  async readStates(session: Session): Promise<ReadState[]> {
    const { access, readStates, messages } = this.options;
    const lastRead = new Map<string, string | null>();
    for (const state of await readStates.list(session.fid)) lastRead.set(state.channelId, state.lastReadId);
    for (const channelId of await messages.channelsMentioning(session.fid)) {
      if (!lastRead.has(channelId)) lastRead.set(channelId, null);
    }
    const states: ReadState[] = [];
    for (const [channelId, lastReadId] of [...lastRead].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      let view: ChannelView;
      try {
        view = await access.channelFor(session.fid, channelId);
      } catch (error) {
        if (error instanceof P2Error && error.status === 404) continue;
        throw error;
      }
      states.push(await this.readState(session.fid, view, lastReadId));
    }
    return states;
  }

  private async readState(fid: string, view: ChannelView, lastReadId: string | null): Promise<ReadState> {
    const counts = await this.options.messages.counts(fid, view.channelId, lastReadId);
    return { channelId: view.channelId, ...guildOf(view), lastReadId, ...counts };
  }

  /**
   * Stores a system message (PROFILE §7: authored by the server, marked `system`) and announces it
   * to `topic`. Its envelope is `{v, kind: "chat.system", to, ts, nonce, body}` — no author, no
   * signature: clients show it distinctly and trust it as far as they trust the server.
   */
  async postSystem(
    channelId: string,
    topic: string,
    body: Record<string, unknown>,
    now = Date.now(),
  ): Promise<MessageRecord> {
    const envelope = {
      v: 1,
      kind: "chat.system",
      to: this.address(channelId),
      ts: now,
      nonce: newNonce(),
      body,
    };
    const record: MessageRecord = {
      id: this.nextId(now),
      channelId,
      authorFid: "",
      nonce: envelope.nonce,
      envelope: JSON.stringify(envelope),
      signature: "",
      receivedAt: now,
      edit: null,
      deleted: false,
      pinnedAt: null,
      system: true,
      replyTo: null,
      mentionEveryone: false,
    };
    await this.options.messages.insert({ ...record, mentions: [], attachmentIds: [] });
    await this.publish(topic, ChatOp.MessageCreate, messageObject(record, [], envelope));
    return record;
  }

  /** Forgets a deleted channel's messages, reactions, read states and attachments (for the guild side). */
  async forgetChannel(channelId: string): Promise<void> {
    const { attachmentIds } = await this.options.messages.deleteChannel(channelId);
    await this.options.files.remove(attachmentIds);
  }

  /** The message if it is in this channel and not deleted; else 404. */
  private async liveMessage(channelId: string, messageId: string): Promise<MessageRecord> {
    const record = await this.options.messages.find(messageId);
    if (!record || record.channelId !== channelId || record.deleted) throw notFound("message");
    return record;
  }

  private async withReactions(record: MessageRecord, viewer: string): Promise<MessageView> {
    return (await this.withReactionsAll([record], viewer))[0]!;
  }

  private async withReactionsAll(records: readonly MessageRecord[], viewer: string): Promise<MessageView[]> {
    const summaries = await this.options.reactions.summaries(
      records.map((r) => r.id),
      viewer,
    );
    return records.map((record) => ({ record, reactions: summaries.get(record.id) ?? [] }));
  }

  /**
   * Queues an event; the queue is published in order once the current turn of the event loop is over,
   * so the answer to the request that raised it leaves first and its latency does not include the
   * fan-out to every subscriber (on one node the in-process bus delivers synchronously).
   */
  private async publish(topic: string, op: number, d: unknown): Promise<void> {
    this.outbox.push({ topic, op, d });
    if (this.outbox.length === 1) setImmediate(() => this.flushOutbox());
  }

  private flushOutbox(): void {
    for (const { topic, op, d } of this.outbox.splice(0)) {
      this.options.events.publish(topic, "chat", op, d).catch((error: unknown) => {
        // The write is stored; a client that missed the event sees it in history.
        this.options.onEventError?.(error);
      });
    }
  }
}
