/**
 * Decoding what a server sends, through polyproto's frame codec (`sender: "server"`), with one
 * tolerance a client needs to stay connected to newer servers: an event of an op or namespace the
 * codec does not know still carries a sequence number, so it is kept (as an unknown event) rather
 * than treated as a broken connection — otherwise its `s` would be a gap forever. This holds inside
 * Heartbeat ACK and Resumed as well.
 */
import {
  CoreOp,
  decodeGatewayFrame,
  GatewayFrameError,
  type GatewayFrame,
  MAX_SEQUENCE_NUMBER,
  NAMESPACE,
} from "@p2chat/polyproto";
import type { DeliveredEvent } from "./events.js";

export type Incoming =
  /** A sequenced event: core 3, 4, 6, 8, 9, 12, chat, mls, or one the codec does not know. */
  | { readonly kind: "event"; readonly event: DeliveredEvent; readonly frame: GatewayFrame | undefined }
  | { readonly kind: "hello"; readonly heartbeatInterval: number; readonly frame: GatewayFrame }
  /** Op 7 or op 10 with the events they carry. */
  | { readonly kind: "heartbeatAck" | "resumed"; readonly events: Incoming[] }
  | { readonly kind: "heartbeatRequest" };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSequenceNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_SEQUENCE_NUMBER;
}

/** `op`/`s` as the codec accepts them: JSON numbers or canonical decimal strings. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^(0|[1-9][0-9]{0,15})$/.test(value)) return Number(value);
  return undefined;
}

/** Decodes one parsed frame; throws `GatewayFrameError` for anything that is not a usable frame. */
export function decodeIncoming(value: unknown): Incoming {
  let frame: GatewayFrame;
  try {
    frame = decodeGatewayFrame(value, { sender: "server" });
  } catch (error) {
    if (!(error instanceof GatewayFrameError) || !isObject(value)) throw error;
    const op = numberOf(value.op);
    // Op 7/10 refused because of something inside: decode the events one by one.
    if (
      value.n === "core" &&
      (op === CoreOp.HeartbeatAck || op === CoreOp.Resumed) &&
      Array.isArray(value.d)
    ) {
      const events = value.d.map(decodeIncoming);
      if (events.some((event) => event.kind !== "event")) throw error;
      return { kind: op === CoreOp.HeartbeatAck ? "heartbeatAck" : "resumed", events };
    }
    const s = numberOf(value.s);
    if (
      error.code === "P2CORE_GATEWAY_UNKNOWN_OPCODE" &&
      typeof value.n === "string" &&
      NAMESPACE.test(value.n) &&
      op !== undefined &&
      isSequenceNumber(s)
    ) {
      return { kind: "event", event: { n: value.n, op, d: value.d, s }, frame: undefined };
    }
    throw error;
  }
  if (frame.n === "core") {
    switch (frame.op) {
      case CoreOp.Hello:
        return { kind: "hello", heartbeatInterval: frame.d.heartbeatInterval, frame };
      case CoreOp.HeartbeatRequest:
        return { kind: "heartbeatRequest" };
      case CoreOp.HeartbeatAck:
      case CoreOp.Resumed:
        return {
          kind: frame.op === CoreOp.HeartbeatAck ? "heartbeatAck" : "resumed",
          events: frame.d.map((event) => ({
            kind: "event",
            event: { n: event.n, op: event.op, d: event.d, s: event.s },
            frame: event,
          })),
        };
    }
  }
  if (!isSequenceNumber(frame.s)) {
    throw new GatewayFrameError(
      "P2CORE_GATEWAY_INVALID_FRAME",
      `server frame ${frame.n}/${frame.op} has no sequence number`,
    );
  }
  return { kind: "event", event: { n: frame.n, op: frame.op, d: frame.d, s: frame.s }, frame };
}
