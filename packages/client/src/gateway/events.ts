/**
 * Typed gateway events for applications: listeners (`on`, `once`), a promise for the next one
 * (`next`) and async iteration (`iterate`). Every listener receives the payload and where it came
 * from (`domain`, and for protocol events `n`, `op`, `s`).
 */
import type {
  ActorCertificateInvalidationPayload,
  HelloPayload,
  NewSessionPayload,
  ReadyPayload,
  ServerCertificateChangePayload,
} from "@p2chat/polyproto";
import { clientError, type P2ClientError } from "../errors.js";

/** A `chat` or `mls` service event: its op (PROFILE §5) and `d`, defined by that extension. */
export interface ServiceEvent {
  readonly op: number;
  readonly d: unknown;
}

/** Any sequenced frame, as delivered (in order, once). */
export interface DeliveredEvent {
  readonly n: string;
  readonly op: number;
  readonly d: unknown;
  readonly s: number;
}

export interface GatewayEventMap {
  /** Op 1, on every connection. */
  hello: HelloPayload;
  /** Op 12: a fresh gateway session (after Identify). Events from before it may have been missed. */
  ready: ReadyPayload;
  /** Op 10 handled: the gateway session continues; `replayed` events were missed and are delivered. */
  resumed: { readonly replayed: number };
  /** The connection ended; the client reconnects (resuming when it can) unless `reconnecting` is false. */
  disconnected: { readonly code: number; readonly reason: string; readonly reconnecting: boolean };
  /** The client stopped for good: closed by the application, or a failure it cannot recover from. */
  closed: { readonly code: number; readonly reason: string; readonly error?: P2ClientError };
  /** Op 3: another session of this actor was created; its ID-Cert (PEM). */
  newSession: NewSessionPayload;
  /** Op 4: a cert was revoked (a flattened CacheableIDCert with `invalidatedAt`). */
  certificateInvalidation: ActorCertificateInvalidationPayload;
  /** Op 6: the server's root cert changed. */
  serverCertificateChange: ServerCertificateChangePayload;
  /** Op 8 from the server: it closed a service channel. */
  serviceChannelClosed: { readonly service: string };
  /** Events of the `chat` service channel (after subscribing). */
  chat: ServiceEvent;
  /** Events of the `mls` service channel (after subscribing). */
  mls: ServiceEvent;
  /** Every sequenced frame, core and services alike (also those of namespaces the SDK does not know). */
  event: DeliveredEvent;
}

export interface EventMeta {
  /** The server whose gateway sent it. */
  readonly domain: string;
  readonly n?: string;
  readonly op?: number;
  readonly s?: number;
}

export type Listener<T> = (payload: T, meta: EventMeta) => void;

export interface EmittedEvent<T> {
  readonly payload: T;
  readonly meta: EventMeta;
}

export interface NextOptions<T> {
  readonly filter?: (payload: T, meta: EventMeta) => boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /**
   * @param onListenerError where a listener's exception goes; by default it is rethrown outside the
   *   gateway's loop (like an uncaught exception), so the other listeners and the connection go on.
   */
  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) =>
      queueMicrotask(() => {
        throw error;
      }),
  ) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  once<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(name, (payload, meta) => {
      off();
      listener(payload, meta);
    });
    return off;
  }

  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    this.listeners.get(name)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(name: K, payload: Events[K], meta: EventMeta): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload, meta);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** The next event `name` (matching `filter`); rejects after `timeoutMs` or when `signal` aborts. */
  next<K extends keyof Events>(
    name: K,
    options: NextOptions<Events[K]> = {},
  ): Promise<EmittedEvent<Events[K]>> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        off();
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener("abort", aborted);
      };
      const aborted = () => {
        done();
        reject(clientError("P2CLIENT_CLOSED", `stopped waiting for ${String(name)}`));
      };
      const off = this.on(name, (payload, meta) => {
        if (options.filter && !options.filter(payload, meta)) return;
        done();
        resolve({ payload, meta });
      });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          done();
          reject(clientError("P2CLIENT_TIMEOUT", `no ${String(name)} event within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      if (options.signal?.aborted) aborted();
      else options.signal?.addEventListener("abort", aborted);
    });
  }

  /**
   * Events `name` from now on, as an async iterator (events are queued while the consumer is busy).
   * Ends when the loop breaks (`return()`) or `signal` aborts.
   */
  iterate<K extends keyof Events>(
    name: K,
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncIterableIterator<EmittedEvent<Events[K]>> {
    const queue: EmittedEvent<Events[K]>[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const off = this.on(name, (payload, meta) => {
      queue.push({ payload, meta });
      wake?.();
    });
    const end = () => {
      ended = true;
      off();
      wake?.();
    };
    if (options.signal?.aborted) end();
    else options.signal?.addEventListener("abort", end, { once: true });
    const iterator: AsyncIterableIterator<EmittedEvent<Events[K]>> = {
      async next() {
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const value = queue.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      async return() {
        end();
        queue.length = 0;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
