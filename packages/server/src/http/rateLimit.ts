/**
 * Per-actor rate limits (PROFILE §4): a sliding window per key (an actor, or an actor and a channel),
 * the `X-RateLimit-Limit/-Remaining/-Reset` headers on every limited route's answer, and
 * `429 P2CORE_RATE_LIMITED` with `Retry-After` when the window is full. On by default; the whole
 * server's limits go off with `P2_RATE_LIMITS=off` (`config.rateLimits`), for benchmarks and load tests.
 *
 * Reusable by any feature: make one `RateLimiter` per rule when the plugin starts, then either put
 * `rateLimited(limiter, keyOf)` in a route's `preHandler` (after `requireSession`) or call
 * `enforceRateLimit(reply, limiter, key)` in a handler when the key is known only there (a guild ID
 * looked up from a channel, say).
 *
 * Decision: limits are counted per node, in memory. Behind a load balancer with N nodes an actor may
 * get up to N times the limit; a shared counter would cost a Redis round trip per limited request.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { P2Error } from "./errors.js";

export interface RateLimitRule {
  /** Requests allowed in any window of `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

/** PROFILE §4's defaults. */
export const RATE_LIMITS = {
  /** Per actor and channel. */
  messages: { limit: 5, windowMs: 5_000 },
  /** Per actor. */
  channelCreations: { limit: 5, windowMs: 5 * 60_000 },
  /** Per actor. */
  guildOperations: { limit: 5, windowMs: 60_000 },
} as const satisfies Record<string, RateLimitRule>;

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests left in the window after this one. */
  readonly remaining: number;
  /** Unix ms at which the window is empty again (the whole limit available). */
  readonly resetAt: number;
  /** When refused: ms until one more request is allowed. */
  readonly retryAfterMs: number;
}

export interface RateLimiterOptions {
  /** false: every request is allowed and no headers are sent (`P2_RATE_LIMITS=off`). */
  readonly enabled: boolean;
  /** Keys tracked at most; beyond, idle keys are swept, then the oldest dropped. Default 100,000. */
  readonly maxKeys?: number;
}

/**
 * A sliding-window log: per key, the times of the last `limit` accepted requests. A request is
 * accepted when fewer than `limit` of them fall inside the window ending now. Exact (no burst of
 * twice the limit across a window boundary, as fixed windows allow) and small for small limits.
 */
export class RateLimiter {
  private readonly log = new Map<string, number[]>();
  private readonly maxKeys: number;
  private takesSinceSweep = 0;

  constructor(
    readonly rule: RateLimitRule,
    private readonly options: RateLimiterOptions,
  ) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** Counts a request for `key`; undefined when limits are off. */
  take(key: string, now = Date.now()): RateLimitVerdict | undefined {
    if (!this.options.enabled) return undefined;
    const { limit, windowMs } = this.rule;
    if (++this.takesSinceSweep >= 10_000 || this.log.size >= this.maxKeys) this.sweep(now);
    let times = this.log.get(key);
    if (!times) {
      times = [];
      this.log.set(key, times);
    }
    const since = now - windowMs;
    while (times.length > 0 && times[0]! <= since) times.shift();
    if (times.length >= limit) {
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetAt: times[times.length - 1]! + windowMs,
        retryAfterMs: times[0]! + windowMs - now,
      };
    }
    times.push(now);
    return {
      allowed: true,
      limit,
      remaining: limit - times.length,
      resetAt: now + windowMs,
      retryAfterMs: 0,
    };
  }

  /**
   * Forgets keys whose window has passed; if still too many, the least recently created, down to 90%
   * of the bound (so a full map is not scanned again on the very next request).
   */
  private sweep(now: number): void {
    this.takesSinceSweep = 0;
    const since = now - this.rule.windowMs;
    for (const [key, times] of this.log) {
      if (times.length === 0 || times[times.length - 1]! <= since) this.log.delete(key);
    }
    for (const key of this.log.keys()) {
      if (this.log.size < this.maxKeys * 0.9) break;
      this.log.delete(key);
    }
  }

  /** Keys currently tracked (tests). */
  get size(): number {
    return this.log.size;
  }
}

/**
 * Counts the request against `key` and sets the headers; throws `429 P2CORE_RATE_LIMITED` (with
 * `Retry-After`) when over the limit. The headers stay on the error answer.
 */
export function enforceRateLimit(
  reply: FastifyReply,
  limiter: RateLimiter,
  key: string,
  now = Date.now(),
): void {
  const verdict = limiter.take(key, now);
  if (!verdict) return;
  reply.header("x-ratelimit-limit", verdict.limit);
  reply.header("x-ratelimit-remaining", verdict.remaining);
  // Unix seconds with millisecond decimals, as Discord sends them.
  reply.header("x-ratelimit-reset", (verdict.resetAt / 1000).toFixed(3));
  if (!verdict.allowed) {
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    reply.header("retry-after", seconds);
    throw new P2Error(
      429,
      "P2CORE_RATE_LIMITED",
      `rate limited: at most ${verdict.limit} requests per ${limiter.rule.windowMs / 1000} s; retry in ${seconds} s`,
    );
  }
}

/**
 * A pre-handler (after `requireSession`) limiting each key `keyOf` derives from the request;
 * `keyOf` returning undefined leaves the request unlimited.
 */
export function rateLimited(limiter: RateLimiter, keyOf: (request: FastifyRequest) => string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!limiter.enabled) return;
    const key = keyOf(request);
    if (key !== undefined) enforceRateLimit(reply, limiter, key);
  };
}
