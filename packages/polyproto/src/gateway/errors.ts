/**
 * Gateway decode errors. Each machine code maps to the close code of core §3.2.5 that a server
 * closes with when a client's frame fails to decode; the error carries it as `closeCode`.
 */
import { PolyprotoError } from "../errors.js";
import { GatewayCloseCode } from "./opcodes.js";

export const GATEWAY_ERROR_CLOSE_CODES = {
  /** The frame is larger than the configured limit. */
  P2CORE_GATEWAY_FRAME_TOO_LARGE: GatewayCloseCode.InvalidPayload,
  /** The frame is not JSON. */
  P2CORE_GATEWAY_NOT_JSON: GatewayCloseCode.InvalidPayload,
  /** JSON, but not an envelope: not an object, `n`/`op`/`s`/`d` missing or of the wrong type. */
  P2CORE_GATEWAY_INVALID_FRAME: GatewayCloseCode.InvalidPayload,
  /** A well-formed `op` that the namespace does not define (or that this side never receives). */
  P2CORE_GATEWAY_UNKNOWN_OPCODE: GatewayCloseCode.UnknownOpcode,
  /** `d` does not have the shape the op requires. */
  P2CORE_GATEWAY_INVALID_PAYLOAD: GatewayCloseCode.InvalidPayload,
  /** A heartbeat range that is not a valid set of sequence numbers, or one too large to honour. */
  P2CORE_GATEWAY_INVALID_SEQUENCE: GatewayCloseCode.InvalidSequenceNumbers,
} as const;
export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CLOSE_CODES;

/** A frame that failed to decode: `code` for machines, `closeCode` for the WebSocket, `message` for humans. */
export class GatewayFrameError extends PolyprotoError {
  readonly closeCode: GatewayCloseCode;

  constructor(code: GatewayErrorCode, message: string) {
    super(code, message);
    this.name = "GatewayFrameError";
    this.closeCode = GATEWAY_ERROR_CLOSE_CODES[code];
  }
}

export function failFrame(code: GatewayErrorCode, message: string): never {
  throw new GatewayFrameError(code, message);
}
