/**
 * The gateway hub of one node: its gateway sessions (by token hash), the index topic → local
 * sessions, the bus listener that fans each event out to them, and the one sweep timer that enforces
 * heartbeats, idle limits and the resume window.
 */
import {
  type ActorCertificateInvalidationPayload,
  CoreOp,
  GatewayCloseCode,
  serverFrames,
  serializeGatewayFrame,
} from "@p2chat/polyproto";
import { ulid } from "ulid";
import type { FastifyBaseLogger } from "fastify";
import type { BusEvent, EventBus } from "../bus/eventBus.js";
import type { Session, SessionService } from "../features/sessions/service.js";
import { GatewayConnection } from "./connection.js";
import { GatewaySession, type SessionSnapshot } from "./gatewaySession.js";
import type { ReplayLimits } from "./replayBuffer.js";
import type { WebSocket } from "ws";

export interface GatewayOptions {
  /** Hello's heartbeatInterval (PROFILE §5: 45,000 ms). */
  readonly heartbeatIntervalMs: number;
  readonly resume: ReplayLimits;
  /** Largest client frame, bytes (larger: close 4002). */
  readonly maxFrameBytes: number;
  /** Bytes queued to one connection before it counts as too slow (closed with resumable 4009). */
  readonly maxBufferedBytes: number;
  readonly rateLimit: { readonly frames: number; readonly windowMs: number };
  /** Services a client may subscribe to with op 8. */
  readonly services: readonly string[];
}

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  heartbeatIntervalMs: 45_000,
  resume: { maxEvents: 10_000, maxAgeMs: 10 * 60 * 1000 },
  maxFrameBytes: 256 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  rateLimit: { frames: 120, windowMs: 60_000 },
  services: ["chat", "mls"],
};

/** Control messages that travel on the bus but are for hubs, not clients. */
export type GatewayControl =
  | { readonly kind: "end-session"; readonly fid: string; readonly certSerial: string }
  | { readonly kind: "topics"; readonly fid: string; readonly add: readonly string[]; readonly remove: readonly string[] };

/** Where a session's topics come from at Identify (features add theirs: guilds, channels, groups). */
export type TopicSource = (session: Session) => Promise<readonly string[]>;

/** Verifies a client's op 4 payload for the session that sent it; resolves false when it does not hold. */
export type InvalidationVerifier = (session: Session, payload: ActorCertificateInvalidationPayload) => Promise<boolean>;

/** Moves a gateway session between nodes (multi-node resume); the in-process default knows no other node. */
export interface SessionHandoff {
  claim(tokenHash: string): Promise<SessionSnapshot | undefined>;
  serve(release: (tokenHash: string) => SessionSnapshot | undefined): void;
}

const CONTROL_OP = -1;

export class GatewayHub {
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly topicIndex = new Map<string, Set<GatewaySession>>();
  private readonly topicReady = new Map<string, Promise<void>>();
  private readonly connections = new Set<GatewayConnection>();
  private readonly topicSources: TopicSource[] = [];
  private readonly sweepTimer: NodeJS.Timeout;
  private invalidationVerifier: InvalidationVerifier | undefined;
  private readonly hubId = ulid();
  private eventCounter = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly sessionTokens: SessionService,
    readonly options: GatewayOptions,
    readonly log: FastifyBaseLogger,
    private readonly handoff?: SessionHandoff,
  ) {
    bus.listen((topic, event) => this.onBusEvent(topic, event));
    handoff?.serve((tokenHash) => this.release(tokenHash));
    const sweepEvery = Math.max(50, Math.min(1000, options.heartbeatIntervalMs / 10));
    this.sweepTimer = setInterval(() => this.sweep(Date.now()), sweepEvery);
    this.sweepTimer.unref();
  }

  addTopicSource(source: TopicSource): void {
    this.topicSources.push(source);
  }

  setInvalidationVerifier(verifier: InvalidationVerifier): void {
    this.invalidationVerifier = verifier;
  }

  /** Takes a freshly upgraded WebSocket. */
  accept(socket: WebSocket): void {
    this.connections.add(new GatewayConnection(this, socket, Date.now()));
  }

  /** Publishes a gateway event to a topic, once, for every node. */
  publish(topic: string, n: BusEvent["n"], op: number, d: unknown, exceptSession?: BusEvent["exceptSession"]): Promise<void> {
    return this.bus.publish(topic, { id: this.eventId(), n, op, d, ...(exceptSession ? { exceptSession } : {}) });
  }

  /** A unique event ID: this hub's random ID and a counter (a ULID per event costs too much entropy). */
  private eventId(): string {
    return `${this.hubId}.${(this.eventCounter++).toString(36)}`;
  }

  /** Sends a control message to every node's hub (ends sessions, changes topics). */
  control(topic: string, control: GatewayControl): Promise<void> {
    return this.bus.publish(topic, { id: this.eventId(), n: "core", op: CONTROL_OP, d: control });
  }

  /** Op 2: a new gateway session for the token. */
  async identify(connection: GatewayConnection, token: string): Promise<void> {
    const session = await this.sessionTokens.resolve(token);
    if (!session) {
      connection.close(GatewayCloseCode.InvalidAuthentication, "the token is unknown, expired or revoked");
      return;
    }
    const topics = await this.topicsOf(session);
    if (connection.closed) return;
    // Identify always starts afresh: an earlier gateway session of the same token ends here.
    this.dropSession(session.tokenHash, GatewayCloseCode.Unresumable, "a new Identify replaced this session");
    const gatewaySession = new GatewaySession(session.tokenHash, session.fid, session.sessionId, session.certSerial, this.options.resume);
    this.sessions.set(session.tokenHash, gatewaySession);
    await this.subscribe(gatewaySession, topics);
    this.bind(connection, gatewaySession);
    const ready = serverFrames.ready({ fid: session.fid, sessionId: session.sessionId, services: [...this.options.services] });
    gatewaySession.sendSequenced(prefixOf(serializeGatewayFrame(ready)), Date.now());
  }

  /** Op 5: re-attach a gateway session (from this node or, through the handoff, another). */
  async resume(connection: GatewayConnection, token: string, s: number): Promise<void> {
    const live = await this.sessionTokens.resolve(token);
    if (!live) {
      connection.close(GatewayCloseCode.InvalidAuthentication, "the token is unknown, expired or revoked");
      return;
    }
    let session = this.sessions.get(live.tokenHash);
    if (!session && this.handoff) session = await this.claim(live);
    if (!session) {
      connection.close(GatewayCloseCode.Unresumable, "no such gateway session (expired?): identify again");
      return;
    }
    if (connection.closed) return;
    if (s > (session.lastSent ?? -1)) {
      connection.close(GatewayCloseCode.InvalidSequenceNumbers, `s ${s} was never sent`);
      return;
    }
    const frames = session.framesAfter(s);
    if (!frames) {
      connection.close(GatewayCloseCode.Unresumable, "events after s are no longer held: identify again");
      return;
    }
    session.connection?.close(GatewayCloseCode.Timeout, "resumed on another connection");
    this.bind(connection, session);
    connection.sendText(`{"n":"core","op":${CoreOp.Resumed},"d":[${frames.join(",")}]}`);
  }

  /**
   * Claims a gateway session another node holds: subscribes to the session's topics first and holds
   * what arrives, then takes the other node's state and replays the held events it had not sent —
   * so nothing published during the move is lost or doubled.
   */
  private async claim(live: Session): Promise<GatewaySession | undefined> {
    const session = new GatewaySession(live.tokenHash, live.fid, live.sessionId, live.certSerial, this.options.resume);
    session.holding = [];
    this.sessions.set(live.tokenHash, session);
    await this.subscribe(session, await this.topicsOf(live));
    const snapshot = await this.handoff?.claim(live.tokenHash);
    if (!snapshot || this.sessions.get(live.tokenHash) !== session) {
      if (this.sessions.get(live.tokenHash) === session) this.dropSession(live.tokenHash, GatewayCloseCode.Unresumable, "");
      return undefined;
    }
    await this.subscribe(session, snapshot.topics);
    session.adopt(snapshot, eventPrefix, Date.now());
    return session;
  }

  private async topicsOf(session: Session): Promise<Set<string>> {
    const topics = new Set<string>(["server", `actor:${session.fid}`]);
    for (const source of this.topicSources) for (const topic of await source(session)) topics.add(topic);
    return topics;
  }

  /** Op 8: open or close a service channel; answered with op 9 (sequenced). */
  serviceChannel(session: GatewaySession, action: "subscribe" | "unsubscribe", service: string, now: number): void {
    const known = this.options.services.includes(service);
    if (known) {
      if (action === "subscribe") session.services.add(service);
      else session.services.delete(service);
    }
    const ack = serverFrames.serviceChannelAck(
      known ? { action, service, success: true } : { action, service, success: false, error: `unknown service: ${service}` },
    );
    session.sendSequenced(prefixOf(serializeGatewayFrame(ack)), now);
  }

  /** Op 4 from a client: verified, then forwarded to every session of this server (PROFILE §5). */
  async certificateInvalidation(
    connection: GatewayConnection,
    session: GatewaySession,
    payload: ActorCertificateInvalidationPayload,
  ): Promise<void> {
    const verifier = this.invalidationVerifier;
    const owner = verifier ? await this.sessionTokens.resolveHash(session.tokenHash) : undefined;
    if (!verifier || !owner || !(await verifier(owner, payload))) {
      connection.close(GatewayCloseCode.InvalidPayload, "the certificate invalidation does not verify");
      return;
    }
    await this.publish("server", "core", CoreOp.ActorCertificateInvalidation, payload);
  }

  /** Polling clients (GET /events): frames after `after`, creating the session on first use. */
  async poll(session: Session, after: number | undefined, services: readonly string[]): Promise<string[] | undefined> {
    let gatewaySession = this.sessions.get(session.tokenHash);
    if (!gatewaySession) {
      gatewaySession = new GatewaySession(session.tokenHash, session.fid, session.sessionId, session.certSerial, this.options.resume);
      this.sessions.set(session.tokenHash, gatewaySession);
      await this.subscribe(gatewaySession, await this.topicsOf(session));
    }
    for (const service of services) if (this.options.services.includes(service)) gatewaySession.services.add(service);
    if (!gatewaySession.connection) gatewaySession.idleSince = Date.now();
    return gatewaySession.framesAfter(after ?? -1);
  }

  /** Called by a connection when it closes, whatever the reason. */
  connectionGone(connection: GatewayConnection): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (session && session.connection === connection) {
      session.connection = undefined;
      session.idleSince = Date.now();
    }
  }

  /** Number of open connections and of gateway sessions (for tests and benchmarks). */
  stats(): { connections: number; sessions: number; topics: number } {
    return { connections: this.connections.size, sessions: this.sessions.size, topics: this.topicIndex.size };
  }

  /** Closes every connection (server shutting down: clients resume elsewhere) and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    for (const connection of [...this.connections]) connection.close(1001, "server shutting down");
    await this.bus.close();
  }

  private bind(connection: GatewayConnection, session: GatewaySession): void {
    connection.session = session;
    connection.lastHeartbeatAt = Date.now();
    session.connection = connection;
    session.idleSince = 0;
  }

  private async subscribe(session: GatewaySession, topics: Iterable<string>): Promise<void> {
    for (const topic of topics) {
      session.topics.add(topic);
      let members = this.topicIndex.get(topic);
      if (!members) {
        members = new Set();
        this.topicIndex.set(topic, members);
        this.topicReady.set(topic, this.bus.subscribe(topic));
      }
      members.add(session);
      // Every caller waits until the bus delivers the topic, not only the first.
      await this.topicReady.get(topic);
    }
  }

  private unsubscribe(session: GatewaySession, topics: Iterable<string>): void {
    for (const topic of topics) {
      session.topics.delete(topic);
      const members = this.topicIndex.get(topic);
      if (!members) continue;
      members.delete(session);
      if (members.size === 0) {
        this.topicIndex.delete(topic);
        this.topicReady.delete(topic);
        void this.bus.unsubscribe(topic);
      }
    }
  }

  private dropSession(tokenHash: string, code: number, reason: string): void {
    const session = this.sessions.get(tokenHash);
    if (!session) return;
    this.sessions.delete(tokenHash);
    this.unsubscribe(session, [...session.topics]);
    session.connection?.close(code, reason);
  }

  /** Hands a session to another node: it stops living here. */
  private release(tokenHash: string): SessionSnapshot | undefined {
    const session = this.sessions.get(tokenHash);
    if (!session) return undefined;
    const snapshot = session.snapshot();
    this.dropSession(tokenHash, GatewayCloseCode.Timeout, "resumed on another node");
    return snapshot;
  }

  private onBusEvent(topic: string, event: BusEvent): void {
    const members = this.topicIndex.get(topic);
    if (!members) return;
    if (event.op === CONTROL_OP) {
      this.onControl(event.d as GatewayControl, members);
      return;
    }
    let prefix: string | undefined;
    const now = Date.now();
    for (const session of members) {
      if (session.holding) {
        session.holding.push(event);
      } else if (session.wants(event)) {
        prefix ??= eventPrefix(event);
        session.sendSequenced(prefix, now, event.id);
      }
    }
  }

  private onControl(control: GatewayControl, members: Set<GatewaySession>): void {
    for (const session of [...members]) {
      if (session.fid !== control.fid) continue;
      if (control.kind === "end-session") {
        if (session.certSerial === control.certSerial) {
          this.dropSession(session.tokenHash, GatewayCloseCode.NotAuthenticated, "the session was revoked");
        }
      } else {
        this.unsubscribe(session, control.remove);
        void this.subscribe(session, control.add);
      }
    }
  }

  private sweep(now: number): void {
    const interval = this.options.heartbeatIntervalMs;
    for (const connection of this.connections) {
      if (!connection.session) {
        if (now - connection.openedAt > interval) connection.close(GatewayCloseCode.NotAuthenticated, "identify in time");
        continue;
      }
      if (connection.heartbeatRequestedAt === 0) {
        if (now - connection.lastHeartbeatAt > interval * 1.25) {
          connection.heartbeatRequestedAt = now;
          connection.sendText(serializeGatewayFrame(serverFrames.heartbeatRequest()));
        }
      } else if (now - connection.heartbeatRequestedAt > interval * 0.25) {
        connection.close(GatewayCloseCode.Timeout, "no heartbeat in time");
      }
    }
    for (const session of this.sessions.values()) {
      if (session.idleSince !== 0 && now - session.idleSince > this.options.resume.maxAgeMs) {
        this.dropSession(session.tokenHash, GatewayCloseCode.Unresumable, "expired");
      } else {
        session.trim(now);
      }
    }
  }
}

/** A bus event as a frame's JSON text without its closing brace (serialised once per node). */
function eventPrefix(event: BusEvent): string {
  return `{"n":${JSON.stringify(event.n)},"op":${event.op},"d":${JSON.stringify(event.d)}`;
}

/** A frame's JSON text without its closing brace, ready for `,"s":N}`. */
function prefixOf(text: string): string {
  return text.slice(0, -1);
}
