/**
 * Typed builders for every frame, in the canonical form `serializeGatewayFrame` emits. Inputs go
 * through the same decoders as received frames, so a builder refuses exactly what a receiver would
 * (throwing `GatewayFrameError`). Server frames come without `s`: the session stamps it as it sends
 * (`withSequence`).
 */
import type {
  ActorCertificateInvalidationFrame,
  ChatFrame,
  HeartbeatAckFrame,
  HeartbeatFrame,
  HeartbeatRequestFrame,
  HelloFrame,
  IdentifyFrame,
  MlsFrame,
  NewSessionFrame,
  ReadyFrame,
  ReplayedFrame,
  ResumedFrame,
  ResumeFrame,
  ServerCertificateChangeFrame,
  ServiceChannelAckFrame,
  ServiceChannelFrame,
} from "./envelope.js";
import { failFrame } from "./errors.js";
import { isSequenceNumber } from "./fields.js";
import { decodeHeartbeatRange, encodeHeartbeatRange, type HeartbeatPayload } from "./heartbeat.js";
import { type ChatOp, CoreOp, GatewayNamespace, isKnownOp, type MlsOp } from "./opcodes.js";
import {
  type ActiveMigration,
  type ActorCertificateInvalidationPayload,
  decodeActorCertificateInvalidationPayload,
  decodeHelloPayload,
  decodeIdentifyPayload,
  decodeNewSessionPayload,
  decodeReadyPayload,
  decodeResumePayload,
  decodeServerCertificateChangePayload,
  decodeServiceChannelAckPayload,
  decodeServiceChannelPayload,
  type ReadyPayload,
  type ServiceChannelAckPayload,
  type ServiceChannelAction,
} from "./payloads.js";

function replayable(events: readonly ReplayedFrame[]): ReplayedFrame[] {
  for (const event of events) {
    if (!isKnownOp(event.n, event.op) || !isSequenceNumber(event.s) || event.d === undefined) {
      failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "a replayed event needs a known op, its s and a d");
    }
    const op: number = event.op;
    if (event.n === GatewayNamespace.Core && (op === CoreOp.HeartbeatAck || op === CoreOp.Resumed)) {
      failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", `op ${event.op} cannot be replayed inside another frame`);
    }
  }
  return [...events];
}

/** Frames a server sends. */
export const serverFrames = {
  /** Op 1, the first frame of every connection. */
  hello(heartbeatInterval: number, activeMigration?: ActiveMigration): HelloFrame {
    return { n: "core", op: CoreOp.Hello, d: decodeHelloPayload({ heartbeatInterval, activeMigration }) };
  },
  /** Op 12, the answer to a successful Identify. */
  ready(payload: ReadyPayload): ReadyFrame {
    return { n: "core", op: CoreOp.Ready, d: decodeReadyPayload(payload) };
  },
  /** Op 3, to every other session of the actor: the new session's ID-Cert (PEM). */
  newSession(cert: string): NewSessionFrame {
    return { n: "core", op: CoreOp.NewSession, d: decodeNewSessionPayload({ cert }) };
  },
  /** Op 4, forwarded to actors who recently saw the certificate. */
  actorCertificateInvalidation(
    payload: ActorCertificateInvalidationPayload,
  ): ActorCertificateInvalidationFrame {
    return {
      n: "core",
      op: CoreOp.ActorCertificateInvalidation,
      d: decodeActorCertificateInvalidationPayload(payload),
    };
  },
  /** Op 6: the server's new ID-Cert (PEM) and when the old one stopped being valid (UNIX seconds). */
  serverCertificateChange(cert: string, oldInvalidSince: number): ServerCertificateChangeFrame {
    return {
      n: "core",
      op: CoreOp.ServerCertificateChange,
      d: decodeServerCertificateChangePayload({ cert, oldInvalidSince }),
    };
  },
  /** Op 7: the events a heartbeat listed in `except`, re-sent with their own `s`. */
  heartbeatAck(events: readonly ReplayedFrame[] = []): HeartbeatAckFrame {
    return { n: "core", op: CoreOp.HeartbeatAck, d: replayable(events) };
  },
  /** Op 11, sent before closing with 4009 when a heartbeat is overdue. */
  heartbeatRequest(): HeartbeatRequestFrame {
    return { n: "core", op: CoreOp.HeartbeatRequest, d: {} };
  },
  /** Op 10: the events missed since the Resume's `s`, with their own `s`. */
  resumed(events: readonly ReplayedFrame[]): ResumedFrame {
    return { n: "core", op: CoreOp.Resumed, d: replayable(events) };
  },
  /** Op 8 from the server: it closes a channel (`unsubscribe`). */
  serviceChannel(action: ServiceChannelAction, service: string): ServiceChannelFrame {
    return { n: "core", op: CoreOp.ServiceChannel, d: decodeServiceChannelPayload({ action, service }) };
  },
  /** Op 9; `error` is kept only when `success` is false. */
  serviceChannelAck(ack: ServiceChannelAckPayload): ServiceChannelAckFrame {
    return { n: "core", op: CoreOp.ServiceChannelAck, d: decodeServiceChannelAckPayload(ack) };
  },
  /** A `chat` service event; `d` is the chat extension's business. */
  chat(op: ChatOp, d: unknown): ChatFrame {
    if (!isKnownOp(GatewayNamespace.Chat, op) || d === undefined) {
      failFrame("P2CORE_GATEWAY_INVALID_FRAME", `chat event ${op} needs a known op and a d`);
    }
    return { n: "chat", op, d };
  },
  /** An `mls` service event; `d` is the MLS extension's business. */
  mls(op: MlsOp, d: unknown): MlsFrame {
    if (!isKnownOp(GatewayNamespace.Mls, op) || d === undefined) {
      failFrame("P2CORE_GATEWAY_INVALID_FRAME", `mls event ${op} needs a known op and a d`);
    }
    return { n: "mls", op, d };
  },
};

/** Frames a client sends (never with `s`). */
export const clientFrames = {
  /** Op 0; build `d` with `heartbeatFromReceived`. Checked against the default limits. */
  heartbeat(d: HeartbeatPayload): HeartbeatFrame {
    return { n: "core", op: CoreOp.Heartbeat, d: encodeHeartbeatRange(decodeHeartbeatRange(d)) };
  },
  /** Op 2 with a session token. */
  identify(token: string): IdentifyFrame {
    return { n: "core", op: CoreOp.Identify, d: decodeIdentifyPayload({ token }) };
  },
  /** Op 5: resume after `s`, the last sequence number received. */
  resume(s: number, token: string): ResumeFrame {
    return { n: "core", op: CoreOp.Resume, d: decodeResumePayload({ s, token }) };
  },
  /** Op 8: (un)subscribe a service channel. */
  serviceChannel(action: ServiceChannelAction, service: string): ServiceChannelFrame {
    return { n: "core", op: CoreOp.ServiceChannel, d: decodeServiceChannelPayload({ action, service }) };
  },
  /** Op 4: tell the server one of the actor's certificates was invalidated. */
  actorCertificateInvalidation(
    payload: ActorCertificateInvalidationPayload,
  ): ActorCertificateInvalidationFrame {
    return {
      n: "core",
      op: CoreOp.ActorCertificateInvalidation,
      d: decodeActorCertificateInvalidationPayload(payload),
    };
  },
};
