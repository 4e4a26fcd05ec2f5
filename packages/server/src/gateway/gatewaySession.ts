/**
 * A gateway session (PROFILE §5): what belongs to one identified token across connections — its
 * sequence numbers, service channels, topics and replay buffer. It outlives its connection by the
 * resume window, so a client that reconnects and sends Resume misses nothing.
 */
import type { BusEvent } from "../bus/eventBus.js";
import type { GatewayConnection } from "./connection.js";
import { ReplayBuffer, type ReplayLimits } from "./replayBuffer.js";

export class GatewaySession {
  nextSeq = 0;
  /** Subscribed service channels (`chat`, `mls`); core events need none. */
  readonly services = new Set<string>();
  readonly topics = new Set<string>();
  connection: GatewayConnection | undefined;
  /** When the session last lost its connection or was last polled (ms); 0 while connected. */
  idleSince = 0;
  private buffer: ReplayBuffer | undefined;
  /**
   * While this node claims the session from another (multi-node resume), bus events are held here
   * instead of being sent; `adopt` then replays those the other node had not sent.
   */
  holding: BusEvent[] | undefined;

  constructor(
    readonly tokenHash: string,
    readonly fid: string,
    readonly sessionId: string,
    readonly certSerial: string,
    private readonly limits: ReplayLimits,
  ) {}

  /** Whether this session receives `event` (service channel subscribed, not the excepted session). */
  wants(event: BusEvent): boolean {
    if (event.n !== "core" && !this.services.has(event.n)) return false;
    const except = event.exceptSession;
    return !(except && except.fid === this.fid && except.sessionId === this.sessionId);
  }

  /**
   * Stamps the next sequence number on a frame given as its JSON text without the closing brace
   * (`{"n":…,"op":…,"d":…`), keeps it for replay and sends it if connected. Returns the text.
   */
  sendSequenced(prefix: string, now: number, eventId = ""): string {
    const s = this.nextSeq++;
    const text = `${prefix},"s":${s}}`;
    this.buffer ??= new ReplayBuffer(this.limits);
    this.buffer.push(s, text, now, eventId);
    this.connection?.sendText(text);
    return text;
  }

  /** The frame sent as `s`, if still held. */
  replayed(s: number): string | undefined {
    return this.buffer?.get(s);
  }

  /** Every frame after `s`, or undefined when the buffer no longer reaches back that far. */
  framesAfter(s: number): string[] | undefined {
    if (s + 1 >= this.nextSeq) return s + 1 === this.nextSeq ? [] : undefined;
    return this.buffer?.after(s, this.nextSeq);
  }

  /** The highest sequence number sent so far, if any. */
  get lastSent(): number | undefined {
    return this.nextSeq === 0 ? undefined : this.nextSeq - 1;
  }

  trim(now: number): void {
    this.buffer?.trim(now);
  }

  /** State to hand to another node (multi-node resume). */
  snapshot() {
    return {
      fid: this.fid,
      sessionId: this.sessionId,
      certSerial: this.certSerial,
      nextSeq: this.nextSeq,
      services: [...this.services],
      topics: [...this.topics],
      frames: this.buffer?.entries() ?? [],
    };
  }

  /**
   * Takes over another node's state for this session (multi-node resume), then sends the events
   * held meanwhile that the other node had not already sent (same bus event ID).
   */
  adopt(snapshot: SessionSnapshot, serialize: (event: BusEvent) => string, now: number): void {
    this.nextSeq = snapshot.nextSeq;
    for (const service of snapshot.services) this.services.add(service);
    this.buffer = new ReplayBuffer(this.limits);
    const seen = new Set<string>();
    for (const frame of snapshot.frames) {
      this.buffer.push(frame.s, frame.text, frame.at, frame.id);
      if (frame.id) seen.add(frame.id);
    }
    const held = this.holding ?? [];
    this.holding = undefined;
    for (const event of held) if (!seen.has(event.id) && this.wants(event)) this.sendSequenced(serialize(event), now, event.id);
  }
}

export type SessionSnapshot = ReturnType<GatewaySession["snapshot"]>;
