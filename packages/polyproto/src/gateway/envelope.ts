/**
 * The gateway envelope `{"n", "op", "d", "s"}` [core §3.2.1, PROFILE §5].
 *
 * We emit `op` and `s` as JSON numbers, keys in the order n, op, d, s. We accept `op` and `s` as
 * numbers or canonical decimal strings (polyproto-rs writes strings). Decoding failures are
 * `GatewayFrameError`s carrying the close code a server answers with: 4002 for anything that is not a
 * well-formed envelope or payload, 4001 for an op the namespace does not define, 4007 for a heartbeat
 * with invalid sequence numbers.
 */
import { failFrame, GatewayFrameError } from "./errors.js";
import { isJsonObject, isPresent, isSequenceNumber, MAX_SEQUENCE_NUMBER, uintFrom } from "./fields.js";
import {
  DEFAULT_HEARTBEAT_LIMITS,
  decodeHeartbeatRange,
  encodeHeartbeatRange,
  type HeartbeatLimits,
  type HeartbeatPayload,
} from "./heartbeat.js";
import {
  type ChatOp,
  CLIENT_CORE_OPS,
  CoreOp,
  GatewayNamespace,
  isKnownOp,
  type MlsOp,
  NAMESPACE,
  SERVER_CORE_OPS,
} from "./opcodes.js";
import {
  type ActorCertificateInvalidationPayload,
  decodeActorCertificateInvalidationPayload,
  decodeHeartbeatRequestPayload,
  decodeHelloPayload,
  decodeIdentifyPayload,
  decodeNewSessionPayload,
  decodeReadyPayload,
  decodeResumePayload,
  decodeServerCertificateChangePayload,
  decodeServiceChannelAckPayload,
  decodeServiceChannelPayload,
  type HeartbeatRequestPayload,
  type HelloPayload,
  type IdentifyPayload,
  type NewSessionPayload,
  type ReadyPayload,
  type ResumePayload,
  type ServerCertificateChangePayload,
  type ServiceChannelAckPayload,
  type ServiceChannelPayload,
} from "./payloads.js";

/** One envelope. `s` is set on what a server sends and absent on what a client sends [core §3.2.1]. */
export interface FrameOf<N extends string, O extends number, D> {
  n: N;
  op: O;
  d: D;
  s?: number;
}

export type HeartbeatFrame = FrameOf<"core", typeof CoreOp.Heartbeat, HeartbeatPayload>;
export type HelloFrame = FrameOf<"core", typeof CoreOp.Hello, HelloPayload>;
export type IdentifyFrame = FrameOf<"core", typeof CoreOp.Identify, IdentifyPayload>;
export type NewSessionFrame = FrameOf<"core", typeof CoreOp.NewSession, NewSessionPayload>;
export type ActorCertificateInvalidationFrame = FrameOf<
  "core",
  typeof CoreOp.ActorCertificateInvalidation,
  ActorCertificateInvalidationPayload
>;
export type ResumeFrame = FrameOf<"core", typeof CoreOp.Resume, ResumePayload>;
export type ServerCertificateChangeFrame = FrameOf<
  "core",
  typeof CoreOp.ServerCertificateChange,
  ServerCertificateChangePayload
>;
export type ServiceChannelFrame = FrameOf<"core", typeof CoreOp.ServiceChannel, ServiceChannelPayload>;
export type ServiceChannelAckFrame = FrameOf<
  "core",
  typeof CoreOp.ServiceChannelAck,
  ServiceChannelAckPayload
>;
export type HeartbeatRequestFrame = FrameOf<"core", typeof CoreOp.HeartbeatRequest, HeartbeatRequestPayload>;
export type ReadyFrame = FrameOf<"core", typeof CoreOp.Ready, ReadyPayload>;
/** A `chat` service event; its `d` is defined by the chat extension, not checked here. */
export type ChatFrame = FrameOf<"chat", ChatOp, unknown>;
/** An `mls` service event; its `d` is defined by the MLS extension, not checked here. */
export type MlsFrame = FrameOf<"mls", MlsOp, unknown>;

/**
 * What Heartbeat ACK and Resumed carry: whole server events with their original `s`, never another
 * Heartbeat ACK or Resumed (core §3.2.3.8 forbids the recursion; we forbid both).
 */
export type ReplayedFrame = (
  | HelloFrame
  | NewSessionFrame
  | ActorCertificateInvalidationFrame
  | ServerCertificateChangeFrame
  | ServiceChannelFrame
  | ServiceChannelAckFrame
  | HeartbeatRequestFrame
  | ReadyFrame
  | ChatFrame
  | MlsFrame
) & { s: number };

/** Op 7: the events the client's heartbeat listed in `except`, re-sent (PROFILE §5). */
export type HeartbeatAckFrame = FrameOf<"core", typeof CoreOp.HeartbeatAck, ReplayedFrame[]>;
/** Op 10: the events missed since the Resume's `s`. */
export type ResumedFrame = FrameOf<"core", typeof CoreOp.Resumed, ReplayedFrame[]>;

export type CoreFrame =
  | HeartbeatFrame
  | HelloFrame
  | IdentifyFrame
  | NewSessionFrame
  | ActorCertificateInvalidationFrame
  | ResumeFrame
  | ServerCertificateChangeFrame
  | HeartbeatAckFrame
  | ServiceChannelFrame
  | ServiceChannelAckFrame
  | ResumedFrame
  | HeartbeatRequestFrame
  | ReadyFrame;

/** Every frame the codec decodes: narrow on `n`, then on `op`. */
export type GatewayFrame = CoreFrame | ChatFrame | MlsFrame;

/** Default frame limit: 1 MiB, the JSON body limit of PROFILE §4. A client receiving large Resumed
 * frames should pass a larger `maxBytes`. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

export interface ParseGatewayFrameOptions {
  /** Largest frame accepted, in UTF-8 bytes. Default `DEFAULT_MAX_FRAME_BYTES`. */
  maxBytes?: number;
  /**
   * Who sent the frame. `"client"` (a server decoding what it receives): only the core ops a client
   * sends (0, 2, 4, 5, 8) are known, anything else is 4001, and `s` is ignored — clients never send
   * one [core §3.2.1], though the spec's own heartbeat example does. `"server"` (a client decoding):
   * only the core ops a server sends, plus chat and mls events. Unset: any op of core, chat and mls.
   */
  sender?: "client" | "server";
  /** Bounds for Heartbeat ranges (op 0). */
  heartbeatLimits?: Readonly<HeartbeatLimits>;
}

/** UTF-8 length of `text`, computed only as far as needed to compare against `max`. */
function utf8LengthExceeds(text: string, max: number): boolean {
  // Every UTF-16 unit takes 1 to 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units).
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 2 : 3;
    if (bytes > max) return true;
  }
  return false;
}

/**
 * Decodes one text frame. Throws `GatewayFrameError` (`closeCode` says how a server closes):
 * too large, not JSON, not an object, `n` not a namespace name, `op` missing or not a uint16, `s` not
 * an integer in [0, 2^53 − 1], `d` missing or of the wrong shape → 4002; an op that `n` does not define
 * (or `n` a namespace we do not know) → 4001; a heartbeat with invalid sequence numbers → 4007.
 */
export function parseGatewayFrame(text: string, options: ParseGatewayFrameOptions = {}): GatewayFrame {
  if (typeof text !== "string") failFrame("P2CORE_GATEWAY_INVALID_FRAME", "gateway frames are text frames");
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (utf8LengthExceeds(text, maxBytes)) {
    failFrame("P2CORE_GATEWAY_FRAME_TOO_LARGE", `gateway frame larger than ${maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    failFrame("P2CORE_GATEWAY_NOT_JSON", `gateway frame is not JSON: ${(error as Error).message}`);
  }
  return decodeGatewayFrame(value, options);
}

export type ParseGatewayFrameResult =
  | { ok: true; frame: GatewayFrame }
  | { ok: false; error: GatewayFrameError };

/** `parseGatewayFrame` without throwing. Other exceptions (bugs) still propagate. */
export function tryParseGatewayFrame(
  text: string,
  options: ParseGatewayFrameOptions = {},
): ParseGatewayFrameResult {
  try {
    return { ok: true, frame: parseGatewayFrame(text, options) };
  } catch (error) {
    if (error instanceof GatewayFrameError) return { ok: false, error };
    throw error;
  }
}

/** Decodes an already-parsed JSON value (e.g. one element of an events-over-REST array, core §3.3). */
export function decodeGatewayFrame(value: unknown, options: ParseGatewayFrameOptions = {}): GatewayFrame {
  return frameFromJson(value, options.sender, options.heartbeatLimits ?? DEFAULT_HEARTBEAT_LIMITS, false);
}

function frameFromJson(
  value: unknown,
  sender: "client" | "server" | undefined,
  limits: Readonly<HeartbeatLimits>,
  replayed: boolean,
): GatewayFrame {
  const where = replayed ? "replayed event" : "gateway frame";
  if (!isJsonObject(value)) {
    failFrame(
      "P2CORE_GATEWAY_INVALID_FRAME",
      `${where} must be a JSON object, not ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`,
    );
  }
  const { n } = value;
  if (typeof n !== "string" || !NAMESPACE.test(n)) {
    failFrame("P2CORE_GATEWAY_INVALID_FRAME", `${where} n must be a namespace name ([a-z0-9_-]{2,64})`);
  }
  if (!isPresent(value.op)) failFrame("P2CORE_GATEWAY_INVALID_FRAME", `${where} op is missing`);
  const op = uintFrom(value.op, 0xffff);
  if (op === undefined) {
    failFrame("P2CORE_GATEWAY_INVALID_FRAME", `${where} op must be a uint16 (number or decimal string)`);
  }
  if (!isKnownOp(n, op)) failFrame("P2CORE_GATEWAY_UNKNOWN_OPCODE", `unknown op ${op} in namespace "${n}"`);
  if (sender === "client" && (n !== GatewayNamespace.Core || !CLIENT_CORE_OPS.has(op as CoreOp))) {
    failFrame("P2CORE_GATEWAY_UNKNOWN_OPCODE", `op ${op} of "${n}" is not one a client sends`);
  }
  if (sender === "server" && n === GatewayNamespace.Core && !SERVER_CORE_OPS.has(op as CoreOp)) {
    failFrame("P2CORE_GATEWAY_UNKNOWN_OPCODE", `op ${op} of "core" is not one a server sends`);
  }
  if (replayed && n === GatewayNamespace.Core && (op === CoreOp.HeartbeatAck || op === CoreOp.Resumed)) {
    failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", `op ${op} cannot be replayed inside another frame`);
  }

  let s: number | undefined;
  if (sender !== "client" && isPresent(value.s)) {
    s = uintFrom(value.s, MAX_SEQUENCE_NUMBER);
    if (s === undefined) {
      failFrame(
        "P2CORE_GATEWAY_INVALID_FRAME",
        `${where} s must be an integer from 0 to 2^53−1 (number or decimal string)`,
      );
    }
  }
  if (replayed && s === undefined) failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "replayed event without s");

  const d = value.d;
  if (d === undefined && !(n === GatewayNamespace.Core && op === CoreOp.HeartbeatRequest)) {
    failFrame("P2CORE_GATEWAY_INVALID_FRAME", `${where} d is missing`);
  }
  const decoded = n === GatewayNamespace.Core ? corePayload(op as CoreOp, d, limits) : d;
  const frame = { n, op, d: decoded } as GatewayFrame;
  if (s !== undefined) frame.s = s;
  return frame;
}

function corePayload(op: CoreOp, d: unknown, limits: Readonly<HeartbeatLimits>): unknown {
  switch (op) {
    case CoreOp.Heartbeat:
      return encodeHeartbeatRange(decodeHeartbeatRange(d, limits));
    case CoreOp.Hello:
      return decodeHelloPayload(d);
    case CoreOp.Identify:
      return decodeIdentifyPayload(d);
    case CoreOp.NewSession:
      return decodeNewSessionPayload(d);
    case CoreOp.ActorCertificateInvalidation:
      return decodeActorCertificateInvalidationPayload(d);
    case CoreOp.Resume:
      return decodeResumePayload(d);
    case CoreOp.ServerCertificateChange:
      return decodeServerCertificateChangePayload(d);
    case CoreOp.HeartbeatAck:
    case CoreOp.Resumed:
      return replayedFrames(op, d, limits);
    case CoreOp.ServiceChannel:
      return decodeServiceChannelPayload(d);
    case CoreOp.ServiceChannelAck:
      return decodeServiceChannelAckPayload(d);
    case CoreOp.HeartbeatRequest:
      return decodeHeartbeatRequestPayload(d);
    case CoreOp.Ready:
      return decodeReadyPayload(d);
  }
}

/**
 * Ops 7 and 10: an array of whole events, each with its `s`. polyproto-rs writes bare `d` payloads
 * without `n`/`op` — those cannot be interpreted and are refused. A Heartbeat ACK's `d` may also be
 * `{}`, read as "nothing to re-send" (the spec says its d "may be empty").
 */
function replayedFrames(op: CoreOp, d: unknown, limits: Readonly<HeartbeatLimits>): ReplayedFrame[] {
  if (op === CoreOp.HeartbeatAck && isJsonObject(d) && Object.keys(d).length === 0) return [];
  if (!Array.isArray(d)) {
    failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", `op ${op} d must be an array of events`);
  }
  return d.map((event) => frameFromJson(event, "server", limits, true) as ReplayedFrame);
}

/**
 * The JSON text of a frame: keys n, op, d, s in that order, `op` and `s` as numbers, `s` omitted when
 * unset. Checks the envelope (known op, valid `s`, `d` present); `d` is trusted to be canonical — build
 * frames with `serverFrames`/`clientFrames` or take them from `parseGatewayFrame`.
 */
export function serializeGatewayFrame(frame: GatewayFrame): string {
  if (!isKnownOp(frame.n, frame.op)) {
    failFrame("P2CORE_GATEWAY_UNKNOWN_OPCODE", `cannot send unknown op ${frame.op} in "${frame.n}"`);
  }
  if (frame.s !== undefined && !isSequenceNumber(frame.s)) {
    failFrame("P2CORE_GATEWAY_INVALID_FRAME", `cannot send s ${String(frame.s)}: not a sequence number`);
  }
  if (frame.d === undefined) failFrame("P2CORE_GATEWAY_INVALID_FRAME", "cannot send a frame without d");
  const { n, op, d, s } = frame;
  return JSON.stringify(s === undefined ? { n, op, d } : { n, op, d, s });
}

/** A copy of `frame` stamped with sequence number `s` (the server does this as it sends). */
export function withSequence<F extends GatewayFrame>(frame: F, s: number): F & { s: number } {
  if (!isSequenceNumber(s))
    failFrame("P2CORE_GATEWAY_INVALID_FRAME", `${String(s)} is not a sequence number`);
  return { ...frame, s };
}
