/**
 * The event bus: how an event raised on one node reaches the gateway sessions of every node.
 * Events are published once per event to a topic (never once per recipient); each node subscribes
 * to the topics its own sessions need and fans out locally. Two implementations: in-process
 * (`memoryBus.ts`, one node) and Redis pub/sub (`redisBus.ts`, several nodes).
 *
 * Topics: `server` (every session of this home server), `actor:<fid>`, `guild:<id>`,
 * `channel:<id>`, `group:<id>`, `conversation:<id>`.
 */

/** What travels on the bus: a gateway event and who among a topic's subscribers gets it. */
export interface BusEvent {
  /** Unique (ULID): lets a node that hears an event twice (during a session handoff) drop one. */
  readonly id: string;
  /** Gateway namespace: `core` events reach every session, `chat`/`mls` only subscribers of the service. */
  readonly n: "core" | "chat" | "mls";
  readonly op: number;
  readonly d: unknown;
  /** Leave out the sessions of this actor with this session ID (New Session goes to the *other* sessions). */
  readonly exceptSession?: { readonly fid: string; readonly sessionId: string };
}

export type BusListener = (topic: string, event: BusEvent) => void;

export interface EventBus {
  /** Publishes one event to one topic; resolves once the bus has taken it. */
  publish(topic: string, event: BusEvent): Promise<void>;
  /**
   * Declares this node's interest in a topic (reference-counted by the caller, the hub); resolves
   * once events published after it are sure to be delivered.
   */
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
  /** The one listener of this node (the gateway hub). */
  listen(listener: BusListener): void;
  close(): Promise<void>;
}
