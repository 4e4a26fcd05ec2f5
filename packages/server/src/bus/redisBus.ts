/**
 * The Redis event bus: pub/sub over two connections (one publishes and sends commands, one is in
 * subscriber mode). Channels are `p2:<domain>:t:<topic>`, so several home servers may share one
 * Redis. Also the session handoff of multi-node resume (`RedisSessionHandoff`).
 */
import { Redis } from "ioredis";
import { ulid } from "ulid";
import type { SessionHandoff } from "../gateway/hub.js";
import type { SessionSnapshot } from "../gateway/gatewaySession.js";
import type { BusEvent, BusListener, EventBus } from "./eventBus.js";

export class RedisBus implements EventBus {
  readonly publisher: Redis;
  readonly subscriber: Redis;
  private listener: BusListener | undefined;
  private readonly prefix: string;
  private readonly direct = new Map<string, (message: string) => void>();

  constructor(url: string, domain: string) {
    this.prefix = `p2:${domain}:`;
    this.publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber.on("message", (channel: string, message: string) => this.onMessage(channel, message));
    // Errors are retried by ioredis; without a listener they would be thrown as unhandled events.
    this.publisher.on("error", () => {});
    this.subscriber.on("error", () => {});
  }

  async publish(topic: string, event: BusEvent): Promise<void> {
    await this.publisher.publish(`${this.prefix}t:${topic}`, JSON.stringify(event));
  }

  async subscribe(topic: string): Promise<void> {
    await this.subscriber.subscribe(`${this.prefix}t:${topic}`);
  }

  async unsubscribe(topic: string): Promise<void> {
    await this.subscriber.unsubscribe(`${this.prefix}t:${topic}`);
  }

  listen(listener: BusListener): void {
    this.listener = listener;
  }

  /** A channel outside the topic space (handoff requests and replies), with its own handler. */
  async listenDirect(name: string, handler: (message: string) => void): Promise<void> {
    this.direct.set(`${this.prefix}${name}`, handler);
    await this.subscriber.subscribe(`${this.prefix}${name}`);
  }

  async sendDirect(name: string, message: string): Promise<void> {
    await this.publisher.publish(`${this.prefix}${name}`, message);
  }

  async close(): Promise<void> {
    this.listener = undefined;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private onMessage(channel: string, message: string): void {
    const handler = this.direct.get(channel);
    if (handler) {
      handler(message);
      return;
    }
    const topicStart = this.prefix.length + 2;
    let event: BusEvent;
    try {
      event = JSON.parse(message) as BusEvent;
    } catch {
      return; // not ours
    }
    this.listener?.(channel.slice(topicStart), event);
  }
}

interface ClaimRequest {
  readonly requestId: string;
  readonly tokenHash: string;
  readonly replyTo: string;
}

interface ClaimReply {
  readonly requestId: string;
  readonly snapshot: SessionSnapshot;
}

/**
 * Multi-node resume: a node that receives Resume for a session it does not hold asks every node
 * (`claim` channel); the holder releases the session and answers on the asker's own channel.
 * No answer within `timeoutMs`: nobody holds it (expired, or its node is gone).
 */
export class RedisSessionHandoff implements SessionHandoff {
  private readonly nodeId = ulid();
  private readonly waiting = new Map<string, (snapshot: SessionSnapshot) => void>();
  private readonly ready: Promise<void>;

  constructor(
    private readonly bus: RedisBus,
    private readonly timeoutMs = 1500,
  ) {
    this.ready = bus.listenDirect(`reply:${this.nodeId}`, (message) => {
      const reply = JSON.parse(message) as ClaimReply;
      this.waiting.get(reply.requestId)?.(reply.snapshot);
    });
  }

  async claim(tokenHash: string): Promise<SessionSnapshot | undefined> {
    await this.ready;
    const requestId = ulid();
    const answer = new Promise<SessionSnapshot | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), this.timeoutMs);
      this.waiting.set(requestId, (snapshot) => {
        clearTimeout(timer);
        resolve(snapshot);
      });
    });
    const request: ClaimRequest = { requestId, tokenHash, replyTo: `reply:${this.nodeId}` };
    await this.bus.sendDirect("claim", JSON.stringify(request));
    const snapshot = await answer;
    this.waiting.delete(requestId);
    return snapshot;
  }

  serve(release: (tokenHash: string) => SessionSnapshot | undefined): void {
    void this.bus.listenDirect("claim", (message) => {
      const request = JSON.parse(message) as ClaimRequest;
      if (request.replyTo === `reply:${this.nodeId}`) return; // our own question
      const snapshot = release(request.tokenHash);
      if (snapshot) void this.bus.sendDirect(request.replyTo, JSON.stringify({ requestId: request.requestId, snapshot }));
    });
  }
}
