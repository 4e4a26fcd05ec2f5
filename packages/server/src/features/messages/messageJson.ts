/**
 * The Message shape of PROFILE §7.1, written straight from the stored RFC 8785 text: the envelope is
 * spliced in as stored, never parsed and re-serialised, so what a client receives is byte for byte
 * what was verified — and `JCS(envelope)` reproduces the signed bytes.
 */
import type { MessageRecord } from "../../storage/messageStore.js";
import type { Reaction } from "./schemas.js";

/** One Message as JSON text, with the reactions as the caller sees them. */
export function messageJson(record: MessageRecord, reactions: readonly Reaction[]): string {
  let json = `{"id":${JSON.stringify(record.id)},"channelId":${JSON.stringify(record.channelId)},"envelope":${record.envelope},"signature":${JSON.stringify(record.signature)},"receivedAt":${record.receivedAt}`;
  if (record.edit) {
    json += `,"edit":{"envelope":${record.edit.envelope},"signature":${JSON.stringify(record.edit.signature)}}`;
  }
  return `${json},"reactions":${JSON.stringify(reactions)},"pinned":${record.pinnedAt !== null},"system":${record.system}}`;
}

/** A page of Messages as one JSON array. */
export function messageListJson(
  views: readonly { record: MessageRecord; reactions: readonly Reaction[] }[],
): string {
  return `[${views.map((view) => messageJson(view.record, view.reactions)).join(",")}]`;
}

/**
 * The Message as an object, for gateway events (the hub serialises `d` once per event). `envelope`
 * is the object the signature was verified over when the caller has it, else the stored text parsed.
 */
export function messageObject(
  record: MessageRecord,
  reactions: readonly Reaction[],
  envelope: unknown = JSON.parse(record.envelope),
): Record<string, unknown> {
  return {
    id: record.id,
    channelId: record.channelId,
    envelope,
    signature: record.signature,
    receivedAt: record.receivedAt,
    ...(record.edit
      ? { edit: { envelope: JSON.parse(record.edit.envelope), signature: record.edit.signature } }
      : {}),
    reactions,
    pinned: record.pinnedAt !== null,
    system: record.system,
  };
}

/**
 * JSON text standing in for the value it encodes, for a typed `reply.send`: Fastify sends a string as
 * it is when the reply's content type is JSON, without its serializer.
 */
export function jsonText<T>(text: string): T {
  return text as unknown as T;
}
