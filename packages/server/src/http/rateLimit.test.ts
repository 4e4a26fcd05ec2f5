import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { errorHandler } from "./errors.js";
import { enforceRateLimit, RateLimiter, rateLimited } from "./rateLimit.js";

describe("RateLimiter (sliding window)", () => {
  it("allows `limit` requests in any window, then says when the next one may come", () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000 }, { enabled: true });
    const t = 1_000_000;
    assert.deepEqual(limiter.take("a", t), {
      allowed: true,
      limit: 3,
      remaining: 2,
      resetAt: t + 1000,
      retryAfterMs: 0,
    });
    assert.equal(limiter.take("a", t + 100)?.remaining, 1);
    assert.equal(limiter.take("a", t + 200)?.remaining, 0);
    assert.deepEqual(limiter.take("a", t + 300), {
      allowed: false,
      limit: 3,
      remaining: 0,
      resetAt: t + 1200,
      retryAfterMs: 700,
    });
    // Other keys are independent.
    assert.equal(limiter.take("b", t + 300)?.allowed, true);
    // Refused requests do not count; the oldest leaves the window at t + 1000.
    assert.equal(limiter.take("a", t + 999)?.allowed, false);
    assert.equal(limiter.take("a", t + 1000)?.allowed, true);
    assert.equal(limiter.take("a", t + 1001)?.allowed, false);
  });

  it("has no burst of twice the limit across a window boundary (unlike a fixed window)", () => {
    const limiter = new RateLimiter({ limit: 5, windowMs: 5000 }, { enabled: true });
    let allowed = 0;
    for (let ms = 4000; ms < 6000; ms += 100) if (limiter.take("k", ms)?.allowed) allowed++;
    assert.equal(allowed, 5);
  });

  it("does nothing when limits are off", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000 }, { enabled: false });
    for (let i = 0; i < 10; i++) assert.equal(limiter.take("a", i), undefined);
    assert.equal(limiter.size, 0);
  });

  it("keeps at most maxKeys keys, idle ones swept first", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000 }, { enabled: true, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`, i * 10);
    assert.ok(limiter.size <= 100, `${limiter.size} keys`);
  });
});

describe("rate limits over HTTP", () => {
  it("sends the X-RateLimit headers, then 429 P2CORE_RATE_LIMITED with Retry-After", async () => {
    const app = Fastify();
    app.setErrorHandler(errorHandler);
    const limiter = new RateLimiter({ limit: 2, windowMs: 60_000 }, { enabled: true });
    app.get(
      "/limited",
      { preHandler: rateLimited(limiter, (request) => String(request.headers["x-actor"])) },
      async () => ({ ok: true }),
    );
    app.get("/inline", async (request, reply) => {
      enforceRateLimit(reply, limiter, `inline:${request.headers["x-actor"]}`);
      return { ok: true };
    });
    const get = (url: string, actor = "alice") =>
      app.inject({ method: "GET", url, headers: { "x-actor": actor } });
    for (const url of ["/limited", "/inline"]) {
      const first = await get(url);
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers["x-ratelimit-limit"], "2");
      assert.equal(first.headers["x-ratelimit-remaining"], "1");
      const reset = Number(first.headers["x-ratelimit-reset"]);
      assert.ok(Math.abs(reset - (Date.now() + 60_000) / 1000) < 5, `reset ${reset}`);
      assert.equal((await get(url)).headers["x-ratelimit-remaining"], "0");
      const refused = await get(url);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error, "P2CORE_RATE_LIMITED");
      assert.equal(refused.json().errcode, 429);
      assert.equal(refused.headers["retry-after"], "60");
      assert.equal(refused.headers["x-ratelimit-remaining"], "0");
      assert.equal((await get(url, "bob")).statusCode, 200);
    }
    await app.close();
  });
});
