/**
 * One WebSocket connection to the gateway (PROFILE §5): Hello, then Identify or Resume; heartbeats
 * answered with ACKs (re-sending what `except` lists); service channels; every failure closed with
 * the close code of the spec's table. Deadlines are checked by the hub's one sweep timer, not by a
 * timer per connection.
 */
import {
  CoreOp,
  decodeHeartbeatRange,
  GatewayCloseCode,
  GatewayFrameError,
  type GatewayFrame,
  parseGatewayFrame,
  sequenceNumbersToResend,
  serializeGatewayFrame,
  serverFrames,
} from "@p2chat/polyproto";
import type { WebSocket } from "ws";
import type { GatewayHub } from "./hub.js";
import type { GatewaySession } from "./gatewaySession.js";

/** Connections that sent in this turn of the event loop (and their socket, when corked). */
let turn: { connection: GatewayConnection; raw: { uncork(): void } | undefined }[] = [];

function scheduleFlush(connection: GatewayConnection, raw: { uncork(): void } | undefined): void {
  if (turn.length === 0) setImmediate(endTurn);
  turn.push({ connection, raw });
}

function endTurn(): void {
  const batch = turn;
  turn = [];
  for (const { connection, raw } of batch) {
    connection.turnEnded();
    raw?.uncork();
  }
}

export class GatewayConnection {
  session: GatewaySession | undefined;
  /** Identify or Resume is being processed: further frames wait for it. */
  private pending = false;
  readonly openedAt: number;
  lastHeartbeatAt: number;
  heartbeatRequestedAt = 0;
  private windowStart: number;
  private framesInWindow = 0;
  closed = false;
  private corked = false;
  private sentThisTurn = false;

  constructor(
    private readonly hub: GatewayHub,
    private readonly socket: WebSocket,
    now: number,
  ) {
    this.openedAt = now;
    this.lastHeartbeatAt = now;
    this.windowStart = now;
    socket.on("message", (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    socket.on("close", () => this.onClose());
    socket.on("error", () => this.close(GatewayCloseCode.UnknownError, "socket error"));
    this.sendText(serializeGatewayFrame(serverFrames.hello(hub.options.heartbeatIntervalMs)));
  }

  /** Sends a frame's text unless the connection is closing; closes slow consumers (resumable 4009). */
  sendText(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.hub.options.maxBufferedBytes) {
      this.close(GatewayCloseCode.Timeout, "consumer too slow: resume to catch up");
      return;
    }
    if (this.sentThisTurn && !this.corked) {
      // A second frame in the same turn of the event loop: from here on they leave together, in one
      // write (one syscall), when the turn ends. The first went out at once, for latency.
      const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      if (raw) {
        raw.cork();
        this.corked = true;
        scheduleFlush(this, raw);
      }
    } else if (!this.sentThisTurn) {
      this.sentThisTurn = true;
      scheduleFlush(this, undefined);
    }
    this.socket.send(text);
  }

  /** Called when the turn ends: the next frame goes out at once again. */
  turnEnded(): void {
    this.corked = false;
    this.sentThisTurn = false;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.socket.close(code, reason.slice(0, 120));
  }

  /** Drops the socket without a close frame (tests of dropped connections use the client side). */
  terminate(): void {
    this.closed = true;
    this.detach();
    this.socket.terminate();
  }

  private detach(): void {
    this.hub.connectionGone(this);
  }

  private onClose(): void {
    if (!this.closed) {
      this.closed = true;
      this.detach();
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.windowStart > this.hub.options.rateLimit.windowMs) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    if (++this.framesInWindow > this.hub.options.rateLimit.frames) {
      this.close(GatewayCloseCode.RateLimited, "too many frames");
      return;
    }
    if (isBinary) {
      this.close(GatewayCloseCode.InvalidPayload, "binary frames are not part of the protocol");
      return;
    }
    let frame: GatewayFrame;
    try {
      frame = parseGatewayFrame(data.toString("utf8"), { sender: "client", maxBytes: this.hub.options.maxFrameBytes });
    } catch (error) {
      if (error instanceof GatewayFrameError) this.close(error.closeCode, error.message);
      else this.close(GatewayCloseCode.InvalidPayload, "invalid frame");
      return;
    }
    this.handle(frame, now).catch((error: unknown) => {
      if (error instanceof GatewayFrameError) this.close(error.closeCode, error.message);
      else {
        this.hub.log.error({ err: error }, "gateway frame handling failed");
        this.close(GatewayCloseCode.UnknownError, "internal error");
      }
    });
  }

  private async handle(frame: GatewayFrame, now: number): Promise<void> {
    if (frame.n !== "core") {
      this.close(GatewayCloseCode.UnknownOpcode, `clients send core frames only, not ${frame.n}`);
      return;
    }
    if (frame.op === CoreOp.Identify || frame.op === CoreOp.Resume) {
      if (this.session || this.pending) {
        this.close(GatewayCloseCode.AlreadyAuthenticated, "already identified");
        return;
      }
      this.pending = true;
      if (frame.op === CoreOp.Identify) await this.hub.identify(this, frame.d.token);
      else await this.hub.resume(this, frame.d.token, frame.d.s);
      this.pending = false;
      return;
    }
    const session = this.session;
    if (!session) {
      this.close(GatewayCloseCode.NotAuthenticated, "identify first");
      return;
    }
    switch (frame.op) {
      case CoreOp.Heartbeat: {
        this.lastHeartbeatAt = now;
        this.heartbeatRequestedAt = 0;
        const wanted = sequenceNumbersToResend(decodeHeartbeatRange(frame.d), session.lastSent);
        const texts: string[] = [];
        for (const s of wanted) {
          const text = session.replayed(s);
          if (text === undefined) {
            this.close(GatewayCloseCode.Unresumable, `event ${s} is no longer held; identify again`);
            return;
          }
          texts.push(text);
        }
        this.sendText(`{"n":"core","op":${CoreOp.HeartbeatAck},"d":[${texts.join(",")}]}`);
        return;
      }
      case CoreOp.ServiceChannel:
        this.hub.serviceChannel(session, frame.d.action, frame.d.service, now);
        return;
      case CoreOp.ActorCertificateInvalidation:
        await this.hub.certificateInvalidation(this, session, frame.d);
        return;
      default:
        this.close(GatewayCloseCode.UnknownOpcode, `op ${frame.op} is not sent by clients`);
    }
  }
}
