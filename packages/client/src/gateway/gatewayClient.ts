/**
 * One gateway connection to one server [core §3.2, PROFILE §5, docs/protocol.md §5], kept alive:
 *
 * - connect → Hello → Identify (fresh) or Resume (`s` = last event delivered in order) → Ready (op 12)
 *   or Resumed (op 10); heartbeats only after that (the server closes 4003 for frames before it);
 * - a heartbeat every interval with the `{from, to, except}` of what arrived (`SequenceTracker`), an
 *   immediate one on Heartbeat Request (op 11) without moving the timer [core §3.2.3.9];
 * - events — live, re-sent in Heartbeat ACK (op 7), replayed in Resumed (op 10) — delivered to the
 *   application exactly once and in order of `s`;
 * - when the connection drops: reconnect with exponential backoff and Resume; Identify afresh when the
 *   server says the session cannot be resumed (4010, or a Resume it refuses with 4007); after 4004
 *   get a new token once (key trial) and Identify; stop on 4003 (revoked) and 4006;
 * - service channels (op 8/9): wanted channels are subscribed after every fresh Identify and re-sent
 *   after a Resume when their ACK was not seen (the server keeps subscriptions across a resume).
 *
 * Before the first Ready, a failure rejects `connect()` instead of retrying, so an application learns
 * at once that a server is down or a token is bad; from then on the client recovers by itself.
 */
import {
  type ActorCertificateInvalidationPayload,
  clientFrames,
  CoreOp,
  GatewayCloseCode,
  gatewayCloseCodeInfo,
  type GatewayFrame,
  isValidServiceName,
  type ReadyPayload,
  serializeGatewayFrame,
  type ServiceChannelAckPayload,
  type ServiceChannelAction,
  type ServiceChannelPayload,
} from "@p2chat/polyproto";
import { openSocket as platformSocket } from "#platform/webSocket";
import { clientError, P2ClientError } from "../errors.js";
import { type DeliveredEvent, type GatewayEventMap, TypedEmitter } from "./events.js";
import { decodeIncoming, type Incoming } from "./incoming.js";
import { SequenceTracker } from "./sequenceTracker.js";
import type { GatewaySocket, SocketFactory } from "./socket.js";

export interface ReconnectOptions {
  /** First delay after a drop; doubled per failed attempt up to `maxDelayMs` (±20% jitter). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface GatewayClientOptions {
  /** The server's domain (in event metadata and errors). */
  readonly domain: string;
  /** The gateway's WebSocket URL, or how to find it. */
  readonly url: string | (() => Promise<string>);
  /** The session's current token on this server (asked before every connection). */
  readonly token: () => Promise<string>;
  /** A new token after the server refused the current one (4004): e.g. a fresh key trial. */
  readonly reauthenticate?: () => Promise<string>;
  readonly openSocket?: SocketFactory;
  readonly reconnect?: ReconnectOptions;
  /** How long to wait for Hello, and then for Ready/Resumed, before giving the connection up. */
  readonly handshakeTimeoutMs?: number;
  /** Where events go; several gateways of one client share the client's emitter. */
  readonly events?: TypedEmitter<GatewayEventMap>;
}

export type GatewayState = "idle" | "connecting" | "ready" | "reconnecting" | "closed";

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: P2ClientError): void;
}

const DEFAULT_INITIAL_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;
/** No Heartbeat ACK for this long (at least 2 intervals) means the connection is dead. */
const MIN_ACK_TIMEOUT_MS = 5_000;

export class GatewayClient {
  readonly domain: string;
  readonly events: TypedEmitter<GatewayEventMap>;
  /** The last Ready of the current gateway session. */
  ready: ReadyPayload | undefined;

  private stateValue: GatewayState = "idle";
  private socket: GatewaySocket | undefined;
  /** Incremented for every connection; handlers of older ones are ignored. */
  private generation = 0;
  private readonly tracker = new SequenceTracker<DeliveredEvent>();
  /** A gateway session exists on the server that a Resume may continue. */
  private resumable = false;
  /** The current connection sent Resume (not Identify) and has not been answered yet. */
  private resuming = false;
  private everReady = false;
  private authenticated = false;
  private reauthenticated = false;
  private failedAttempts = 0;
  private token: string | undefined;
  private heartbeatIntervalMs = 0;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** When each heartbeat not yet acknowledged was sent (ACKs answer them in order). */
  private readonly unacknowledged: number[] = [];
  private readonly wanted = new Set<string>();
  private readonly subscribed = new Set<string>();
  private connectWaiters: Waiter<ReadyPayload>[] = [];
  private readonly channelWaiters = new Map<string, Waiter<void>[]>();
  private readonly openSocket: SocketFactory;

  constructor(private readonly options: GatewayClientOptions) {
    this.domain = options.domain;
    this.events = options.events ?? new TypedEmitter<GatewayEventMap>();
    this.openSocket = options.openSocket ?? platformSocket;
  }

  get state(): GatewayState {
    return this.stateValue;
  }

  /** Service channels the server has acknowledged. */
  get services(): ReadonlySet<string> {
    return this.subscribed;
  }

  /** Connects (if not yet) and resolves with Ready once identified or resumed. */
  connect(): Promise<ReadyPayload> {
    if (this.stateValue === "closed")
      return Promise.reject(clientError("P2CLIENT_CLOSED", `the gateway of ${this.domain} is closed`));
    if (this.stateValue === "ready" && this.ready) return Promise.resolve(this.ready);
    const promise = new Promise<ReadyPayload>((resolve, reject) =>
      this.connectWaiters.push({ resolve, reject }),
    );
    if (this.stateValue === "idle") {
      this.stateValue = "connecting";
      void this.open();
    }
    return promise;
  }

  /** Subscribes a service channel (`chat`, `mls`); resolves with the server's ACK. Kept across reconnects. */
  subscribe(service: string): Promise<void> {
    return this.channel("subscribe", service);
  }

  unsubscribe(service: string): Promise<void> {
    return this.channel("unsubscribe", service);
  }

  /** Op 4: tells the server one of the actor's certs was revoked (a CacheableIDCert from the home server). */
  announceInvalidation(payload: ActorCertificateInvalidationPayload): void {
    this.send(clientFrames.actorCertificateInvalidation(payload));
  }

  /** Closes for good (1000); pending calls reject with `P2CLIENT_CLOSED`. */
  close(): void {
    if (this.stateValue === "closed") return;
    this.stateValue = "closed";
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    this.generation++;
    this.socket?.close(1000, "client closing");
    this.socket = undefined;
    const error = clientError("P2CLIENT_CLOSED", `the gateway of ${this.domain} was closed`, {
      domain: this.domain,
    });
    this.rejectAll(error);
    this.events.emit("closed", { code: 1000, reason: "closed by the client" }, { domain: this.domain });
  }

  // ---------------------------------------------------------------------------------------------
  // Connections

  private async open(): Promise<void> {
    const generation = ++this.generation;
    let url: string;
    let token: string;
    try {
      url = typeof this.options.url === "string" ? this.options.url : await this.options.url();
      token = await this.options.token();
    } catch (error) {
      if (generation !== this.generation || this.stateValue === "closed") return;
      const failure = P2ClientError.from(error, this.domain);
      // Without a token there is nothing to retry; an unreachable server may come back.
      const permanent = failure.status === 401 || failure.status === 403 || !this.everReady;
      if (permanent) this.fail(failure);
      else this.scheduleReconnect(false);
      return;
    }
    if (generation !== this.generation || this.stateValue === "closed") return;
    this.token = token;
    this.authenticated = false;
    this.heartbeatIntervalMs = 0;
    this.handshakeTimer = setTimeout(
      () => this.drop(GatewayCloseCode.UnknownError, "no Hello in time"),
      this.handshakeTimeoutMs(),
    );
    this.socket = this.openSocket(url, {
      onOpen: () => {},
      onText: (text) => {
        if (generation === this.generation) this.receiveText(text);
      },
      onBinary: () => {
        if (generation === this.generation)
          this.drop(GatewayCloseCode.UnknownError, "binary frames are not part of the protocol");
      },
      onClose: (code, reason) => {
        if (generation === this.generation) this.afterClose(code, reason, "server");
      },
    });
  }

  /** Gives the current connection up from this side and reconnects. */
  private drop(code: number, reason: string): void {
    const socket = this.socket;
    this.generation++; // its close event is ours, not news
    socket?.close(code, reason);
    this.afterClose(code, reason, "client");
  }

  private afterClose(code: number, reason: string, closedBy: "server" | "client"): void {
    this.stopTimers();
    this.socket = undefined;
    this.generation++;
    if (this.stateValue === "closed") return;
    const wasResuming = this.resuming;
    this.resuming = false;
    const info = gatewayCloseCodeInfo(code);

    if (
      code === GatewayCloseCode.InvalidAuthentication &&
      this.options.reauthenticate &&
      !this.reauthenticated
    ) {
      // The token is no longer good on this server (replaced, or the server forgot it): get a new one.
      this.reauthenticated = true;
      this.resumable = false;
      this.events.emit("disconnected", { code, reason, reconnecting: true }, { domain: this.domain });
      void this.reauthenticateAndOpen();
      return;
    }
    if (info && !info.reconnect) {
      this.fail(
        new P2ClientError(
          0,
          closeCodeName(code),
          `the gateway of ${this.domain} closed with ${code}: ${reason || info.name}`,
          { domain: this.domain },
        ),
        code,
        reason,
      );
      return;
    }
    if (!this.everReady) {
      this.fail(
        clientError(
          "P2CLIENT_NETWORK",
          `the gateway of ${this.domain} closed with ${code} before Ready${reason ? `: ${reason}` : ""}`,
          { domain: this.domain },
        ),
        code,
        reason,
      );
      return;
    }
    let immediately = false;
    if (
      code === GatewayCloseCode.Unresumable ||
      (wasResuming && code === GatewayCloseCode.InvalidSequenceNumbers)
    ) {
      this.resumable = false; // identify afresh, at once
      immediately = true;
    } else if (info) {
      const resumable = closedBy === "server" ? info.resumable : info.resumableAfterClientClose;
      if (!resumable) this.resumable = false;
    }
    // Other codes (1000, 1001, 1006, 1011, …) say nothing about the session: try to resume it.
    this.events.emit("disconnected", { code, reason, reconnecting: true }, { domain: this.domain });
    this.scheduleReconnect(immediately);
  }

  private async reauthenticateAndOpen(): Promise<void> {
    const generation = this.generation;
    try {
      const reauthenticate = this.options.reauthenticate;
      if (!reauthenticate) throw clientError("P2CLIENT_CLOSED", "no way to authenticate again");
      await reauthenticate();
    } catch (error) {
      if (generation === this.generation) this.fail(P2ClientError.from(error, this.domain));
      return;
    }
    if (generation !== this.generation || this.stateValue === "closed") return;
    this.stateValue = this.everReady ? "reconnecting" : "connecting";
    void this.open();
  }

  private scheduleReconnect(immediately: boolean): void {
    this.stateValue = "reconnecting";
    const initial = this.options.reconnect?.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
    const max = this.options.reconnect?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const base = Math.min(max, initial * 2 ** Math.min(this.failedAttempts, 30));
    const delay = immediately ? 0 : Math.round(base * (0.8 + Math.random() * 0.4));
    this.failedAttempts++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.stateValue === "reconnecting") void this.open();
    }, delay);
  }

  /** Stops trying: pending calls reject. `connect()` may be called again (unless closed). */
  private fail(error: P2ClientError, code = 0, reason = error.message): void {
    this.stopTimers();
    this.socket?.close(1000, "giving up");
    this.socket = undefined;
    this.generation++;
    this.stateValue = "idle";
    this.resumable = false;
    this.everReady = false;
    this.reauthenticated = false;
    this.failedAttempts = 0;
    this.rejectAll(error);
    this.events.emit("disconnected", { code, reason, reconnecting: false }, { domain: this.domain });
    this.events.emit("closed", { code, reason, error }, { domain: this.domain });
  }

  private rejectAll(error: P2ClientError): void {
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error);
    for (const waiters of this.channelWaiters.values()) for (const waiter of waiters) waiter.reject(error);
    this.channelWaiters.clear();
  }

  private handshakeTimeoutMs(): number {
    return this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  }

  private stopTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.handshakeTimer);
    this.heartbeatTimer = undefined;
    this.handshakeTimer = undefined;
    this.unacknowledged.length = 0;
  }

  private send(frame: GatewayFrame): void {
    this.socket?.send(serializeGatewayFrame(frame));
  }

  // ---------------------------------------------------------------------------------------------
  // Frames in

  private receiveText(text: string): void {
    let incoming: Incoming;
    try {
      incoming = decodeIncoming(JSON.parse(text));
    } catch (error) {
      // A frame we cannot read: give the connection up and resume (4000 stays resumable).
      this.drop(
        GatewayCloseCode.UnknownError,
        `unreadable frame: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    this.receive(incoming);
  }

  private receive(incoming: Incoming): void {
    switch (incoming.kind) {
      case "hello":
        this.hello(incoming.heartbeatInterval, incoming.frame);
        return;
      case "heartbeatRequest":
        if (this.authenticated) this.heartbeat();
        return;
      case "heartbeatAck":
        this.unacknowledged.shift();
        for (const event of incoming.events) this.receive(event);
        return;
      case "resumed": {
        let replayed = 0;
        for (const event of incoming.events) if (event.kind === "event") replayed += this.accept(event.event);
        this.established();
        this.resubscribe(false);
        this.events.emit("resumed", { replayed }, { domain: this.domain, n: "core", op: CoreOp.Resumed });
        return;
      }
      case "event":
        this.accept(incoming.event);
        return;
    }
  }

  private hello(heartbeatInterval: number, frame: GatewayFrame): void {
    if (this.heartbeatIntervalMs !== 0) return; // one Hello per connection
    this.heartbeatIntervalMs = heartbeatInterval;
    const token = this.token ?? "";
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(
      () => this.drop(GatewayCloseCode.UnknownError, "no Ready/Resumed in time"),
      this.handshakeTimeoutMs(),
    );
    if (this.resumable && this.tracker.lastContiguous >= 0) {
      this.resuming = true;
      this.send(clientFrames.resume(this.tracker.lastContiguous, token));
    } else {
      // A new gateway session numbers from 0: what waited behind a gap of the old one is delivered now.
      for (const event of this.tracker.reset()) this.deliver(event);
      this.resuming = false;
      this.send(clientFrames.identify(token));
    }
    this.events.emit("hello", frame.d as GatewayEventMap["hello"], {
      domain: this.domain,
      n: "core",
      op: CoreOp.Hello,
    });
  }

  /** Both Ready and Resumed: the connection is usable; heartbeats start. */
  private established(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.resuming = false;
    this.authenticated = true;
    this.resumable = true;
    this.everReady = true;
    this.reauthenticated = false;
    this.failedAttempts = 0;
    this.stateValue = "ready";
    clearInterval(this.heartbeatTimer);
    this.unacknowledged.length = 0;
    const interval = this.heartbeatIntervalMs;
    // A fixed schedule (setInterval), so a requested heartbeat does not move the next one [core §3.2.3.9].
    this.heartbeatTimer = setInterval(() => {
      const oldest = this.unacknowledged[0];
      if (oldest !== undefined && Date.now() - oldest > Math.max(2 * interval, MIN_ACK_TIMEOUT_MS)) {
        this.drop(GatewayCloseCode.UnknownError, "no Heartbeat ACK: the connection is gone");
        return;
      }
      this.heartbeat();
    }, interval);
  }

  private heartbeat(): void {
    let d: ReturnType<SequenceTracker<DeliveredEvent>["heartbeat"]>;
    try {
      d = this.tracker.heartbeat();
    } catch {
      // More missing than one heartbeat may ask for: a Resume replays everything after the gap.
      this.drop(GatewayCloseCode.UnknownError, "too far behind: resuming");
      return;
    }
    this.send(clientFrames.heartbeat(d));
    this.unacknowledged.push(Date.now());
  }

  /** Takes an event in; delivers what is now in order. Returns how many were new. */
  private accept(event: DeliveredEvent): number {
    const ready = this.tracker.accept(event);
    for (const next of ready) this.deliver(next);
    return ready.length;
  }

  private deliver(event: DeliveredEvent): void {
    const meta = { domain: this.domain, n: event.n, op: event.op, s: event.s };
    if (event.n === "core") {
      switch (event.op) {
        case CoreOp.Ready:
          this.ready = event.d as ReadyPayload;
          this.subscribed.clear();
          this.established();
          this.resubscribe(true);
          break;
        case CoreOp.ServiceChannelAck:
          this.channelAck(event.d as ServiceChannelAckPayload);
          break;
        case CoreOp.ServiceChannel: {
          const { service } = event.d as ServiceChannelPayload;
          this.subscribed.delete(service);
          this.wanted.delete(service);
          break;
        }
      }
    }
    this.events.emit("event", event, meta);
    if (event.n === "chat" || event.n === "mls") {
      this.events.emit(event.n, { op: event.op, d: event.d }, meta);
      return;
    }
    if (event.n !== "core") return;
    switch (event.op) {
      case CoreOp.Ready: {
        const ready = event.d as ReadyPayload;
        this.events.emit("ready", ready, meta);
        for (const waiter of this.connectWaiters.splice(0)) waiter.resolve(ready);
        return;
      }
      case CoreOp.NewSession:
        this.events.emit("newSession", event.d as GatewayEventMap["newSession"], meta);
        return;
      case CoreOp.ActorCertificateInvalidation:
        this.events.emit(
          "certificateInvalidation",
          event.d as GatewayEventMap["certificateInvalidation"],
          meta,
        );
        return;
      case CoreOp.ServerCertificateChange:
        this.events.emit(
          "serverCertificateChange",
          event.d as GatewayEventMap["serverCertificateChange"],
          meta,
        );
        return;
      case CoreOp.ServiceChannel:
        this.events.emit(
          "serviceChannelClosed",
          { service: (event.d as ServiceChannelPayload).service },
          meta,
        );
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Service channels

  private channel(action: ServiceChannelAction, service: string): Promise<void> {
    if (this.stateValue === "closed")
      return Promise.reject(clientError("P2CLIENT_CLOSED", `the gateway of ${this.domain} is closed`));
    if (!isValidServiceName(service)) {
      return Promise.reject(
        clientError("P2CLIENT_SERVICE_CHANNEL_REFUSED", `not a service name: ${JSON.stringify(service)}`),
      );
    }
    if (action === "subscribe") this.wanted.add(service);
    else this.wanted.delete(service);
    const key = `${action} ${service}`;
    const opposite = `${action === "subscribe" ? "unsubscribe" : "subscribe"} ${service}`;
    if (action === "unsubscribe" && !this.subscribed.has(service) && !this.channelWaiters.has(opposite))
      return Promise.resolve();
    if (action === "subscribe" && this.subscribed.has(service) && !this.channelWaiters.has(opposite))
      return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => {
      const waiters = this.channelWaiters.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.channelWaiters.set(key, waiters);
    });
    if (this.stateValue === "ready") this.send(clientFrames.serviceChannel(action, service));
    return promise;
  }

  /** After Ready (fresh: every wanted channel) or Resumed (those whose ACK was not seen). */
  private resubscribe(fresh: boolean): void {
    for (const service of this.wanted) {
      if (fresh || !this.subscribed.has(service))
        this.send(clientFrames.serviceChannel("subscribe", service));
    }
    if (!fresh) {
      for (const key of this.channelWaiters.keys()) {
        const [action, service] = key.split(" ") as [ServiceChannelAction, string];
        if (action === "unsubscribe") this.send(clientFrames.serviceChannel("unsubscribe", service));
      }
    }
  }

  private channelAck(ack: ServiceChannelAckPayload): void {
    const key = `${ack.action} ${ack.service}`;
    if (ack.success) {
      if (ack.action === "subscribe") this.subscribed.add(ack.service);
      else this.subscribed.delete(ack.service);
    } else if (ack.action === "subscribe") {
      this.wanted.delete(ack.service);
    }
    const waiters = this.channelWaiters.get(key) ?? [];
    this.channelWaiters.delete(key);
    for (const waiter of waiters) {
      if (ack.success) waiter.resolve();
      else {
        waiter.reject(
          clientError(
            "P2CLIENT_SERVICE_CHANNEL_REFUSED",
            `${this.domain} refused to ${ack.action} ${ack.service}: ${ack.error ?? "no reason given"}`,
            {
              domain: this.domain,
            },
          ),
        );
      }
    }
  }
}

function closeCodeName(code: number): string {
  return `P2CORE_GATEWAY_CLOSED_${code}`;
}
