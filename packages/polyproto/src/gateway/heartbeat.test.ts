import assert from "node:assert/strict";
import { test } from "node:test";
import { PolyprotoError } from "../errors.js";
import { readVectorJson } from "../vectors.test-helper.js";
import { GatewayFrameError } from "./errors.js";
import {
  DEFAULT_HEARTBEAT_LIMITS,
  decodeHeartbeatRange,
  encodeHeartbeatRange,
  type HeartbeatRange,
  heartbeatFromReceived,
  heartbeatRangeIncludes,
  sequenceNumbersToResend,
} from "./heartbeat.js";

function rejects(fn: () => unknown, code: string, closeCode: number, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof GatewayFrameError, String(error));
    assert.ok(error instanceof PolyprotoError);
    assert.equal(error.code, code, error.message);
    assert.equal(error.closeCode, closeCode, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}
const INVALID_PAYLOAD = (fn: () => unknown, message?: RegExp) =>
  rejects(fn, "P2CORE_GATEWAY_INVALID_PAYLOAD", 4002, message);
const INVALID_SEQUENCE = (fn: () => unknown, message?: RegExp) =>
  rejects(fn, "P2CORE_GATEWAY_INVALID_SEQUENCE", 4007, message);

/** The sequence numbers a range says arrived (for small ranges in tests). */
function arrived(range: HeartbeatRange | undefined): number[] {
  if (!range) return [];
  const out: number[] = [];
  for (let s = range.from; s <= range.to; s++) if (heartbeatRangeIncludes(range, s)) out.push(s);
  return out;
}

/** mulberry32: a small seeded PRNG so property tests are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("spec: the minified number list example decodes to [1, 20] without 9, 12, 13", () => {
  interface Examples {
    examples: { title: string; parsed?: unknown }[];
  }
  const { examples } = readVectorJson<Examples>("gateway/spec_examples.json");
  const list = examples.find((e) => e.title === "Minified number list");
  assert.ok(list?.parsed);
  const range = decodeHeartbeatRange(list.parsed);
  assert.deepEqual(range, { from: 1, to: 20, except: [9, 12, 13] });
  assert.deepEqual(arrived(range), [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 14, 15, 16, 17, 18, 19, 20]);
  assert.deepEqual(sequenceNumbersToResend(range, 20), [9, 12, 13]);
  assert.deepEqual(encodeHeartbeatRange(range), list.parsed);
});

test("spec: the heartbeat example's d ({from 213, to 219, except 214 216})", () => {
  const range = decodeHeartbeatRange({ from: "213", to: "219", except: ["214", "216"] });
  assert.deepEqual(arrived(range), [213, 215, 217, 218, 219]);
  assert.deepEqual(heartbeatFromReceived([213, 215, 217, 218, 219]), {
    from: "213",
    to: "219",
    except: ["214", "216"],
  });
});

test("polyproto-rs compaction rule: [1,2,3,5,8] → 1..8 except 4,6,7; [n] → n..n", () => {
  assert.deepEqual(heartbeatFromReceived([1, 2, 3, 5, 8]), { from: "1", to: "8", except: ["4", "6", "7"] });
  assert.deepEqual(heartbeatFromReceived([42]), { from: "42", to: "42" });
  // polyproto-rs sends {from:"0", to:"0"} for an empty interval; it decodes as "0 arrived".
  assert.deepEqual(decodeHeartbeatRange({ from: "0", to: "0" }), { from: 0, to: 0, except: [] });
});

test("client: an interval with nothing received is the keep-alive {}", () => {
  assert.deepEqual(heartbeatFromReceived([]), {});
  assert.deepEqual(heartbeatFromReceived(new Set<number>(), { expectedFrom: 7 }), {});
  assert.equal(decodeHeartbeatRange({}), undefined);
  assert.deepEqual(encodeHeartbeatRange(undefined), {});
  assert.deepEqual(sequenceNumbersToResend(undefined, undefined), []);
  // Unknown keys beside nothing are still the keep-alive; except: null counts as absent.
  assert.equal(decodeHeartbeatRange({ note: "x" }), undefined);
  assert.equal(decodeHeartbeatRange({ except: null }), undefined);
});

test("client: any order, duplicates, gaps; except ascending, omitted when empty", () => {
  assert.deepEqual(heartbeatFromReceived([9, 3, 3, 5, 4, 9]), {
    from: "3",
    to: "9",
    except: ["6", "7", "8"],
  });
  assert.deepEqual(heartbeatFromReceived(new Set([10, 11, 12])), { from: "10", to: "12" });
  assert.deepEqual(heartbeatFromReceived([0]), { from: "0", to: "0" });
});

test("client: expectedFrom reports events lost at the start of the interval", () => {
  // Last heartbeat ended at 7; 8 and 9 never came. Without expectedFrom they would go unnoticed.
  assert.deepEqual(heartbeatFromReceived([10, 11]), { from: "10", to: "11" });
  assert.deepEqual(heartbeatFromReceived([10, 11], { expectedFrom: 8 }), {
    from: "8",
    to: "11",
    except: ["8", "9"],
  });
  // expectedFrom above what arrived (re-sent old events) changes nothing.
  assert.deepEqual(heartbeatFromReceived([3, 12], { expectedFrom: 12 }), {
    from: "3",
    to: "12",
    except: ["4", "5", "6", "7", "8", "9", "10", "11"],
  });
});

test("client: alreadyReceived keeps re-sent events from re-requesting what arrived earlier", () => {
  // Interval 1 received 213..219 without 214 and 216; the ACK re-sent them, and 220..222 arrived.
  const earlier = new Set([213, 215, 217, 218, 219]);
  const d = heartbeatFromReceived([220, 214, 221, 216, 222], { alreadyReceived: (s) => earlier.has(s) });
  assert.deepEqual(d, { from: "214", to: "222" });
  // The literal rule ("missing this interval") would ask again for 215, 217, 218, 219:
  assert.deepEqual(heartbeatFromReceived([220, 214, 221, 216, 222]), {
    from: "214",
    to: "222",
    except: ["215", "217", "218", "219"],
  });
});

test("client: refuses non-sequence numbers and ranges the server would refuse", () => {
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) {
    INVALID_SEQUENCE(() => heartbeatFromReceived([1, bad]));
  }
  INVALID_SEQUENCE(() => heartbeatFromReceived([1], { expectedFrom: -1 }));
  INVALID_SEQUENCE(
    () => heartbeatFromReceived([0, 5000], { limits: { maxExcept: 100, maxSpan: 1e6 } }),
    /resume/,
  );
  INVALID_SEQUENCE(() => heartbeatFromReceived([0, 2_000_000]), /spans more than/);
  // Exactly at the limits is fine.
  const d = heartbeatFromReceived([0, 101], { limits: { maxExcept: 100, maxSpan: 102 } });
  assert.equal((d as { except: string[] }).except.length, 100);
});

test("server: shape errors are 4002", () => {
  for (const d of [null, [], "1-20", 5, true]) INVALID_PAYLOAD(() => decodeHeartbeatRange(d), /object/);
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ from: "1" }));
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ to: "1" }));
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ from: 1, to: 2 }), /decimal strings/);
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ from: "1", to: 2 }));
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ from: "1", to: "2", except: "2" }), /array/);
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ from: "1", to: "2", except: { 0: "2" } }), /array/);
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ from: "1", to: "3", except: [2] }), /decimal strings/);
  INVALID_PAYLOAD(() => decodeHeartbeatRange({ except: ["1"] }), /without from and to/);
});

test("server: invalid sequence numbers are 4007", () => {
  const range = (from: string, to: string, except?: unknown) => () =>
    decodeHeartbeatRange({ from, to, except });
  for (const bad of ["-1", "+1", "01", "1.0", "1e3", " 1", "1 ", "", "0x10", "one", "١٢"]) {
    INVALID_SEQUENCE(range(bad, "5"), /not a sequence number/);
    INVALID_SEQUENCE(range("0", "5", [bad]), /not a sequence number/);
  }
  // u64 max is a valid u64 but beyond any sequence number we issue (2^53 − 1).
  INVALID_SEQUENCE(range("0", "18446744073709551615"));
  INVALID_SEQUENCE(range("9007199254740992", "9007199254740992"));
  assert.ok(decodeHeartbeatRange({ from: "9007199254740991", to: "9007199254740991" }));
  INVALID_SEQUENCE(range("5", "4"), /from 5 > to 4/);
  INVALID_SEQUENCE(range("1", "20", ["0"]), /outside/);
  INVALID_SEQUENCE(range("1", "20", ["21"]), /outside/);
  INVALID_SEQUENCE(range("1", "20", ["9", "9"]), /twice/);
});

test("server: absurd ranges and huge except lists are refused, limits adjustable", () => {
  const { maxSpan, maxExcept } = DEFAULT_HEARTBEAT_LIMITS;
  INVALID_SEQUENCE(() => decodeHeartbeatRange({ from: "0", to: "9007199254740991" }), /spans more than/);
  INVALID_SEQUENCE(() => decodeHeartbeatRange({ from: "0", to: String(maxSpan) }), /spans more than/);
  assert.ok(decodeHeartbeatRange({ from: "0", to: String(maxSpan - 1) }));
  const many = Array.from({ length: maxExcept + 1 }, (_, i) => String(i));
  INVALID_SEQUENCE(() => decodeHeartbeatRange({ from: "0", to: "20000", except: many }), /at most 10000/);
  assert.equal(
    decodeHeartbeatRange({ from: "0", to: "20000", except: many.slice(1) })?.except.length,
    maxExcept,
  );
  const tight = { maxExcept: 2, maxSpan: 10 };
  INVALID_SEQUENCE(() => decodeHeartbeatRange({ from: "0", to: "10" }, tight));
  INVALID_SEQUENCE(() => decodeHeartbeatRange({ from: "0", to: "9", except: ["1", "2", "3"] }, tight));
});

test("server: except may name from and to; output is sorted", () => {
  assert.deepEqual(decodeHeartbeatRange({ from: "8", to: "11", except: ["9", "8"] }), {
    from: 8,
    to: 11,
    except: [8, 9],
  });
  assert.deepEqual(decodeHeartbeatRange({ from: "5", to: "5", except: ["5"] }), {
    from: 5,
    to: 5,
    except: [5],
  });
});

test("server: what to re-send, and ranges beyond the last event sent are 4007", () => {
  const range = decodeHeartbeatRange({ from: "213", to: "219", except: ["216", "214"] });
  assert.deepEqual(sequenceNumbersToResend(range, 219), [214, 216]);
  assert.deepEqual(sequenceNumbersToResend(range, 500), [214, 216]);
  INVALID_SEQUENCE(() => sequenceNumbersToResend(range, 218), /last sequence number sent was 218/);
  INVALID_SEQUENCE(() => sequenceNumbersToResend(range, undefined), /none/);
  assert.deepEqual(sequenceNumbersToResend(decodeHeartbeatRange({ from: "3", to: "9" }), 9), []);
});

test("heartbeatRangeIncludes: bounds and exceptions", () => {
  const range = { from: 10, to: 20, except: [10, 13, 20] };
  assert.deepEqual(arrived(range), [11, 12, 14, 15, 16, 17, 18, 19]);
  assert.equal(heartbeatRangeIncludes(range, 9), false);
  assert.equal(heartbeatRangeIncludes(range, 21), false);
  assert.equal(heartbeatRangeIncludes(undefined, 0), false);
});

test("property: client encode → JSON → server decode reproduces what arrived (1000 random intervals)", () => {
  const random = prng(0x5eed);
  for (let round = 0; round < 1000; round++) {
    const base = Math.floor(random() * 1e9);
    const span = 1 + Math.floor(random() * 200);
    const density = random();
    const got = new Set<number>();
    for (let s = base; s < base + span; s++) if (random() < density) got.add(s);
    // Shuffled, with duplicates, as events and re-sends may arrive.
    const received = [...got, ...[...got].filter(() => random() < 0.1)].sort(() => random() - 0.5);
    const wire = heartbeatFromReceived(received);
    const range = decodeHeartbeatRange(JSON.parse(JSON.stringify(wire)));
    assert.deepEqual(
      arrived(range),
      [...got].sort((a, b) => a - b),
      `round ${round}`,
    );
    assert.deepEqual(encodeHeartbeatRange(range), wire, `round ${round}: canonical form`);
    if (range) {
      // What the server re-sends is exactly the gaps between the lowest and highest received.
      const resend = sequenceNumbersToResend(range, range.to);
      for (const s of resend) assert.ok(!got.has(s) && s > range.from && s < range.to);
      assert.equal(resend.length + got.size, range.to - range.from + 1);
    } else {
      assert.equal(got.size, 0);
    }
  }
});

test("property: server decode → encode → decode is stable on random valid ranges", () => {
  const random = prng(42);
  for (let round = 0; round < 1000; round++) {
    const from = Math.floor(random() * Number.MAX_SAFE_INTEGER * (random() < 0.5 ? 1 : 1e-9));
    const to = from + Math.floor(random() * 5000);
    const except = new Set<string>();
    const count = Math.floor(random() * 50);
    for (let i = 0; i < count; i++) except.add(String(from + Math.floor(random() * (to - from + 1))));
    if (to > Number.MAX_SAFE_INTEGER) continue;
    const wire = { from: String(from), to: String(to), except: [...except] };
    const range = decodeHeartbeatRange(wire);
    assert.ok(range);
    assert.deepEqual(decodeHeartbeatRange(encodeHeartbeatRange(range)), range);
    assert.deepEqual(
      [...range.except],
      [...except].map(Number).sort((a, b) => a - b),
    );
  }
});
