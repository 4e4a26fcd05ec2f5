/**
 * The `body` of the signed kinds this feature accepts (PROFILE §6, §7). The envelope's outer shape is
 * polyproto's; these are the chat bodies inside it:
 *
 *   chat.message   {content?, attachments?: [id], replyTo?: id, mentions?: [fid], mentionEveryone?: bool}
 *                  — encrypted channels: {mls: base64, attachments?, replyTo?, mentions?, mentionEveryone?}
 *   chat.edit      {messageId, content} — encrypted channels: {messageId, mls}
 *   chat.reaction  {messageId, emoji}
 *
 * Unknown keys are kept (they are signed and served as they are) but mean nothing to the server.
 */
import { fromBase64, tryParseFederationId } from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";

export const MAX_ATTACHMENTS = 10;
export const MAX_MENTIONS = 100;
/** RFC 8785 text of one envelope, bytes: room for 4,000 characters of content or its MLS ciphertext. */
export const MAX_ENVELOPE_BYTES = 64 * 1024;
const ID = /^[0-9A-Za-z_-]{1,64}$/;

export interface MessageContent {
  readonly attachmentIds: readonly string[];
  readonly replyTo: string | null;
  /** Deduplicated, without the author. */
  readonly mentions: readonly string[];
  readonly mentionEveryone: boolean;
}

function invalid(field: string, why: string): P2Error {
  return new P2Error(400, "P2CORE_INVALID_ENVELOPE", `envelope.body.${field}: ${why}`);
}

/** Code points, counted only when the UTF-16 length could exceed the limit. */
function tooLong(text: string, maxChars: number): boolean {
  if (text.length <= maxChars) return false;
  let count = 0;
  for (const _ of text) if (++count > maxChars) return true;
  return false;
}

function checkContent(body: Record<string, unknown>, maxChars: number): boolean {
  if (body.content === undefined) return false;
  if (typeof body.content !== "string") throw invalid("content", "must be a string");
  if (tooLong(body.content, maxChars)) {
    throw new P2Error(
      400,
      "P2CHAT_CONTENT_TOO_LONG",
      `envelope.body.content: at most ${maxChars} characters`,
    );
  }
  return body.content.length > 0;
}

/**
 * Encrypted channels take `{mls}` and no content, plain ones content and no `mls` (PROFILE §8).
 * Returns whether the body is plain (the caller then checks its content).
 */
function isPlain(body: Record<string, unknown>, encrypted: boolean): boolean {
  if (encrypted) {
    if (body.content !== undefined) {
      throw new P2Error(
        400,
        "P2CHAT_ENCRYPTION_REQUIRED",
        "the channel is encrypted: send {mls} instead of content",
      );
    }
    checkMls(body);
    return false;
  }
  if (body.mls !== undefined) {
    throw new P2Error(400, "P2CHAT_NOT_ENCRYPTED", "the channel is not encrypted: send content, not mls");
  }
  return true;
}

function checkMls(body: Record<string, unknown>): void {
  const mls = body.mls;
  if (typeof mls !== "string" || mls.length === 0 || fromBase64(mls) === undefined) {
    throw invalid("mls", "must be a base64 MLSMessage");
  }
}

function ids(value: unknown, field: string, max: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max)
    throw invalid(field, `must be an array of at most ${max} IDs`);
  const seen = new Set<string>();
  for (const id of value) {
    if (typeof id !== "string" || !ID.test(id)) throw invalid(field, "must hold IDs");
    if (seen.has(id)) throw invalid(field, `lists ${id} twice`);
    seen.add(id);
  }
  return [...seen];
}

/**
 * Reads a `chat.message` body for a channel: plaintext channels need non-empty `content` or
 * attachments and refuse `mls`; encrypted ones need `mls` and refuse `content` (PROFILE §8).
 */
export function readMessageBody(
  body: Record<string, unknown>,
  author: string,
  options: { readonly encrypted: boolean; readonly maxChars: number },
): MessageContent {
  const attachmentIds = ids(body.attachments, "attachments", MAX_ATTACHMENTS);
  if (isPlain(body, options.encrypted)) {
    if (!checkContent(body, options.maxChars) && attachmentIds.length === 0) {
      throw invalid("content", "a message needs content or attachments");
    }
  }
  let replyTo: string | null = null;
  if (body.replyTo !== undefined) {
    if (typeof body.replyTo !== "string" || !ID.test(body.replyTo))
      throw invalid("replyTo", "must be a message ID");
    replyTo = body.replyTo;
  }
  const mentions = new Set<string>();
  if (body.mentions !== undefined) {
    if (!Array.isArray(body.mentions) || body.mentions.length > MAX_MENTIONS) {
      throw invalid("mentions", `must be an array of at most ${MAX_MENTIONS} federation IDs`);
    }
    for (const fid of body.mentions) {
      const parsed = tryParseFederationId(fid);
      if (!parsed || parsed.fid !== fid) throw invalid("mentions", "must hold lowercase federation IDs");
      if (fid !== author) mentions.add(fid);
    }
  }
  if (body.mentionEveryone !== undefined && typeof body.mentionEveryone !== "boolean") {
    throw invalid("mentionEveryone", "must be a boolean");
  }
  return { attachmentIds, replyTo, mentions: [...mentions], mentionEveryone: body.mentionEveryone === true };
}

/** Reads a `chat.edit` body: the edited message's ID and the new content (or MLS ciphertext). */
export function readEditBody(
  body: Record<string, unknown>,
  options: { readonly encrypted: boolean; readonly maxChars: number },
): { readonly messageId: string } {
  if (typeof body.messageId !== "string" || !ID.test(body.messageId))
    throw invalid("messageId", "must be a message ID");
  if (isPlain(body, options.encrypted)) {
    if (typeof body.content !== "string") throw invalid("content", "must be a string");
    checkContent(body, options.maxChars);
  }
  return { messageId: body.messageId };
}

/** Reads a `chat.reaction` body: it must name the message and emoji of the route. */
export function readReactionBody(body: Record<string, unknown>, messageId: string, emoji: string): void {
  if (body.messageId !== messageId) throw invalid("messageId", `must be ${messageId} (the route's)`);
  if (body.emoji !== emoji) throw invalid("emoji", "must be the route's emoji");
}
