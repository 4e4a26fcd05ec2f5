/**
 * Gateway opcodes and close codes [core §3.2.1.2, §3.2.5, PROFILE §5].
 *
 * Ops are numbered per namespace: `core` is the spec's table plus Ready (12, named but undefined
 * upstream); `chat` and `mls` are the service-channel namespaces of PROFILE §5.
 */

/** Namespaces the codec knows [core §3.2.1.1]. Every other namespace is an unknown opcode to us. */
export const GatewayNamespace = { Core: "core", Chat: "chat", Mls: "mls" } as const;
export type GatewayNamespace = (typeof GatewayNamespace)[keyof typeof GatewayNamespace];

/** Namespace names [core §8.2]: 2–64 characters of `[a-z0-9_-]`. */
export const NAMESPACE = /^[a-z0-9_-]{2,64}$/;

/** `core` ops [core §3.2.1.2]; 12 Ready is ours (PROFILE §5). */
export const CoreOp = {
  Heartbeat: 0,
  Hello: 1,
  Identify: 2,
  NewSession: 3,
  ActorCertificateInvalidation: 4,
  Resume: 5,
  ServerCertificateChange: 6,
  HeartbeatAck: 7,
  ServiceChannel: 8,
  ServiceChannelAck: 9,
  Resumed: 10,
  HeartbeatRequest: 11,
  Ready: 12,
} as const;
export type CoreOp = (typeof CoreOp)[keyof typeof CoreOp];

/** `core` ops a client may send (the table's "Actor Send"). */
export const CLIENT_CORE_OPS: ReadonlySet<CoreOp> = new Set([
  CoreOp.Heartbeat,
  CoreOp.Identify,
  CoreOp.ActorCertificateInvalidation,
  CoreOp.Resume,
  CoreOp.ServiceChannel,
]);

/** `core` ops a server may send (the table's "Actor Receive", plus Ready). */
export const SERVER_CORE_OPS: ReadonlySet<CoreOp> = new Set([
  CoreOp.Hello,
  CoreOp.NewSession,
  CoreOp.ActorCertificateInvalidation,
  CoreOp.ServerCertificateChange,
  CoreOp.HeartbeatAck,
  CoreOp.ServiceChannel,
  CoreOp.ServiceChannelAck,
  CoreOp.Resumed,
  CoreOp.HeartbeatRequest,
  CoreOp.Ready,
]);

/** `chat` service ops (PROFILE §5): 0–9 from the upstream chat draft, 10–20 ours. All server → client. */
export const ChatOp = {
  MessageCreate: 0,
  MessageUpdate: 1,
  MessageDelete: 2,
  ChannelCreate: 3,
  ChannelUpdate: 4,
  ChannelDelete: 5,
  GuildMemberAdd: 6,
  GuildMemberRemove: 7,
  GuildUpdate: 8,
  TypingStart: 9,
  ReactionAdd: 10,
  ReactionRemove: 11,
  GuildCreate: 12,
  GuildDelete: 13,
  RoleCreate: 14,
  RoleUpdate: 15,
  RoleDelete: 16,
  GuildMemberUpdate: 17,
  ChannelPinsUpdate: 18,
  ReadStateUpdate: 19,
  DmMessageCreate: 20,
} as const;
export type ChatOp = (typeof ChatOp)[keyof typeof ChatOp];

/** `mls` service ops (PROFILE §5; upstream says "TBD"). All server → client. */
export const MlsOp = {
  KeyPackagesLow: 0,
  JoinRequest: 1,
  JoinRequestResolved: 2,
  Welcome: 3,
  Commit: 4,
  MemberJoined: 5,
  GroupReset: 6,
} as const;
export type MlsOp = (typeof MlsOp)[keyof typeof MlsOp];

const CORE_OPS: ReadonlySet<number> = new Set(Object.values(CoreOp));
const CHAT_OPS: ReadonlySet<number> = new Set(Object.values(ChatOp));
const MLS_OPS: ReadonlySet<number> = new Set(Object.values(MlsOp));

/** True when `op` is defined in namespace `n`; false for every namespace we do not know. */
export function isKnownOp(n: string, op: number): boolean {
  switch (n) {
    case GatewayNamespace.Core:
      return CORE_OPS.has(op);
    case GatewayNamespace.Chat:
      return CHAT_OPS.has(op);
    case GatewayNamespace.Mls:
      return MLS_OPS.has(op);
    default:
      return false;
  }
}

/** polyproto close codes [core §3.2.5]. */
export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  InvalidPayload: 4002,
  NotAuthenticated: 4003,
  InvalidAuthentication: 4004,
  AlreadyAuthenticated: 4005,
  Reserved: 4006,
  InvalidSequenceNumbers: 4007,
  RateLimited: 4008,
  Timeout: 4009,
  Unresumable: 4010,
} as const;
export type GatewayCloseCode = (typeof GatewayCloseCode)[keyof typeof GatewayCloseCode];

export interface GatewayCloseCodeInfo {
  readonly code: GatewayCloseCode;
  /** The name in the spec's table. */
  readonly name: string;
  readonly sentByServer: boolean;
  readonly sentByClient: boolean;
  /** A Resume (op 5) may follow when the *server* closed with this code (the table's column). */
  readonly resumable: boolean;
  /** A Resume may follow when the *client* closed with this code (4009 differs: "if sent by server"). */
  readonly resumableAfterClientClose: boolean;
  /**
   * A client may reconnect on its own (Resume when resumable, else a fresh Identify). False where
   * the same credentials cannot succeed: the token is bad (4003, 4004) or the code is undefined (4006).
   */
  readonly reconnect: boolean;
}

function closeCode(
  code: GatewayCloseCode,
  name: string,
  sentBy: "server" | "both" | "none",
  resumable: boolean,
  reconnect: boolean,
  resumableAfterClientClose = false,
): GatewayCloseCodeInfo {
  return {
    code,
    name,
    sentByServer: sentBy !== "none",
    sentByClient: sentBy === "both",
    resumable,
    resumableAfterClientClose,
    reconnect,
  };
}

/** The close-code table of core §3.2.5, keyed by code. */
export const GATEWAY_CLOSE_CODES: Readonly<Record<GatewayCloseCode, GatewayCloseCodeInfo>> = {
  4000: closeCode(4000, "Unknown error", "both", true, true, true),
  4001: closeCode(4001, "Unknown opcode", "server", true, true),
  4002: closeCode(4002, "Invalid payload", "server", true, true),
  4003: closeCode(4003, "Not authenticated", "server", false, false),
  4004: closeCode(4004, "Invalid authentication", "server", false, false),
  4005: closeCode(4005, "Already authenticated", "server", false, true),
  4006: closeCode(4006, "Reserved", "none", false, false),
  4007: closeCode(4007, "Invalid sequence number(s)", "server", true, true),
  4008: closeCode(4008, "Rate limited", "server", false, true),
  4009: closeCode(4009, "Timeout", "both", true, true, false),
  4010: closeCode(4010, "Unresumable", "server", false, true),
};

/** The table row for a close code, or undefined for codes outside 4000–4010 (RFC 6455 codes etc.). */
export function gatewayCloseCodeInfo(code: number): GatewayCloseCodeInfo | undefined {
  return Object.hasOwn(GATEWAY_CLOSE_CODES, code) ? GATEWAY_CLOSE_CODES[code as GatewayCloseCode] : undefined;
}

/**
 * Whether a Resume may follow a close with `code`, closed by `closedBy`. Undefined for codes outside
 * the table: the spec says nothing about them (a dropped connection, 1006, is the client's call).
 */
export function canResumeAfterClose(code: number, closedBy: "server" | "client"): boolean | undefined {
  const info = gatewayCloseCodeInfo(code);
  if (!info) return undefined;
  return closedBy === "server" ? info.resumable : info.resumableAfterClientClose;
}
