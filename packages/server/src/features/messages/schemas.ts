/**
 * Shapes of the message routes (PROFILE §6, §7.1): the signed write, the Message, reactions, read
 * states, attachments, and the path and query parameters. The envelope itself is checked by
 * polyproto's `parseEnvelope` (exact shape), not here, so that its errors carry the protocol's codes.
 */
import { type Static, Type } from "typebox";

/** ULIDs and the other IDs of the guild side: short printable text. */
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9A-Za-z_-]+$" });

export const ChannelParams = Type.Object({ channelId: Id });
export const MessageParams = Type.Object({ channelId: Id, messageId: Id });
export const ReactionParams = Type.Object({
  channelId: Id,
  messageId: Id,
  emoji: Type.String({
    minLength: 1,
    maxLength: 64,
    // No whitespace, no controls, no slash (a Unicode emoji or a custom `name:id`).
    pattern: "^[^\\s/\\\\\\u0000-\\u001f\\u007f]+$",
    description: "the emoji, percent-encoded in the path",
  }),
});
export const AttachmentParams = Type.Object({ id: Id });

export const SignedEnvelopeInput = Type.Unsafe<Record<string, unknown>>({
  type: "object",
  description:
    'the signed object of PROFILE §6: {"v":1,"kind","to","author","session","serial","ts","nonce","body"} — exactly these keys',
});

export const SignedWrite = Type.Object(
  {
    envelope: SignedEnvelopeInput,
    signature: Type.String({
      maxLength: 256,
      description: 'Ed25519 over UTF-8("polyproto-chat/1\\n" + JCS(envelope)), lowercase hex',
    }),
  },
  { description: "A signed write (PROFILE §7.1)" },
);
export type SignedWrite = Static<typeof SignedWrite>;

const SignedPair = Type.Object({ envelope: SignedEnvelopeInput, signature: Type.String() });

export const Reaction = Type.Object(
  {
    emoji: Type.String(),
    count: Type.Integer(),
    me: Type.Boolean({ description: "whether the caller reacted with it" }),
  },
  { description: "Reactions of one emoji to a message" },
);
export type Reaction = Static<typeof Reaction>;

export const Message = Type.Object(
  {
    id: Type.String({ description: "ULID, assigned on receipt" }),
    channelId: Type.String(),
    envelope: SignedEnvelopeInput,
    signature: Type.String({ description: "lowercase hex; '' for system messages" }),
    receivedAt: Type.Integer({ description: "unix ms" }),
    edit: Type.Optional(SignedPair),
    reactions: Type.Array(Reaction),
    pinned: Type.Boolean(),
    system: Type.Boolean({ description: "authored by the server (PROFILE §7: shown distinctly)" }),
  },
  { description: "Message (PROFILE §7.1); JCS(envelope) reproduces the signed bytes" },
);

export const MessageList = Type.Array(Message, { description: "newest first" });

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    before: Type.Optional(Id),
    after: Type.Optional(Id),
    around: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

export const ReactorsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: "a FID: page after it" })),
  },
  { additionalProperties: false },
);
export type ReactorsQuery = Static<typeof ReactorsQuery>;

export const Reactor = Type.Object(
  {
    fid: Type.String(),
    envelope: SignedEnvelopeInput,
    signature: Type.String(),
    createdAt: Type.Integer({ description: "unix ms" }),
  },
  { description: "One actor's signed reaction" },
);

export const RemoveReactionQuery = Type.Object(
  {
    fid: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 320,
        description: "another actor's reaction (MANAGE_MESSAGES)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const AckBody = Type.Object({ messageId: Id }, { additionalProperties: false });

export const ReadState = Type.Object(
  {
    channelId: Type.String(),
    guildId: Type.Optional(Type.String()),
    lastReadId: Type.Union([Type.String(), Type.Null()], { description: "null: never acknowledged" }),
    lastMessageId: Type.Union([Type.String(), Type.Null()]),
    unreadCount: Type.Integer({ description: "messages after lastReadId, not the caller's own" }),
    mentionCount: Type.Integer({ description: "of those, the ones mentioning the caller or @everyone" }),
  },
  { description: "The caller's read state of one channel" },
);
export type ReadState = Static<typeof ReadState>;

export const AttachmentQuery = Type.Object(
  {
    filename: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, pattern: "^[^/\\\\\\u0000-\\u001f\\u007f]+$" }),
    ),
  },
  { additionalProperties: false },
);

export const AttachmentCreated = Type.Object(
  {
    id: Type.String({ description: "reference it in a message body's `attachments`" }),
    url: Type.String({ description: "where GET /attachments/{id} serves it" }),
  },
  { description: "An uploaded attachment" },
);
