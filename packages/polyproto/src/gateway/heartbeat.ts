/**
 * Heartbeat ranges, the "minified number list" [core §3.2.3.8, §3.2.6, PROFILE §5].
 *
 * On the wire: `{"from": "213", "to": "219", "except": ["214", "216"]}` — decimal strings — meaning
 * "every sequence number in [from, to] arrived except these"; the server re-sends `except` in the
 * Heartbeat ACK. `{}` is a plain keep-alive: nothing arrived this interval.
 *
 * Sequence numbers are u64 in the spec. We issue and accept them only up to 2^53 − 1 so that they are
 * exact JS numbers; a session would need 9·10^15 events to get there, and the spec's rule for overflow
 * (close, start afresh) applies at that bound instead.
 */
import { failFrame } from "./errors.js";
import { DECIMAL, isJsonObject, isPresent, isSequenceNumber, MAX_SEQUENCE_NUMBER } from "./fields.js";

/** Heartbeat `d` as it travels: decimal strings, `except` omitted when empty. */
export interface HeartbeatRangeWire {
  from: string;
  to: string;
  except?: string[];
}

/** Heartbeat `d`: a range, or `{}` when nothing arrived in the interval. */
export type HeartbeatPayload = HeartbeatRangeWire | Record<string, never>;

/** A decoded range: `except` ascending, without duplicates, every entry within [from, to]. */
export interface HeartbeatRange {
  from: number;
  to: number;
  except: readonly number[];
}

/**
 * Bounds on what one heartbeat may claim. `maxExcept` defaults to the size of the per-session replay
 * buffer (PROFILE §5: 10,000 events) — more could not be re-sent anyway; `maxSpan` (to − from + 1)
 * to 1,000,000, far beyond what one 45-second interval carries.
 */
export interface HeartbeatLimits {
  maxExcept: number;
  maxSpan: number;
}

export const DEFAULT_HEARTBEAT_LIMITS: Readonly<HeartbeatLimits> = { maxExcept: 10_000, maxSpan: 1_000_000 };

/** The wire form of a decoded range (`{}` for undefined). */
export function encodeHeartbeatRange(range: HeartbeatRange | undefined): HeartbeatPayload {
  if (!range) return {};
  const wire: HeartbeatRangeWire = { from: String(range.from), to: String(range.to) };
  if (range.except.length > 0) wire.except = range.except.map(String);
  return wire;
}

function sequenceNumberFromString(text: string, field: string): number {
  // A valid u64 beyond 2^53 − 1 is still one we never sent: an invalid sequence number either way.
  if (!DECIMAL.test(text) || text.length > 16 || Number(text) > MAX_SEQUENCE_NUMBER) {
    failFrame(
      "P2CORE_GATEWAY_INVALID_SEQUENCE",
      `heartbeat ${field} ${JSON.stringify(text.slice(0, 40))} is not a sequence number (decimal, 0 to 2^53−1)`,
    );
  }
  return Number(text);
}

/**
 * Server side: decodes a Heartbeat `d` strictly. Undefined for the keep-alive `{}`.
 *
 * Shape errors (not an object; `from`/`to` not both strings; `except` not an array of strings) are
 * `P2CORE_GATEWAY_INVALID_PAYLOAD` (close 4002). Bad numbers (not canonical decimal, beyond 2^53 − 1),
 * `from > to`, `except` entries outside [from, to] or repeated, and ranges beyond `limits` are
 * `P2CORE_GATEWAY_INVALID_SEQUENCE` (close 4007, "invalid sequence number(s)"). Unknown keys are ignored;
 * `except: null` counts as absent (polyproto-rs omits it instead, but writes null for other options).
 */
export function decodeHeartbeatRange(
  d: unknown,
  limits: Readonly<HeartbeatLimits> = DEFAULT_HEARTBEAT_LIMITS,
): HeartbeatRange | undefined {
  if (!isJsonObject(d)) failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "heartbeat d must be an object");
  const { from, to, except } = d;
  if (from === undefined && to === undefined) {
    if (isPresent(except)) {
      failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "heartbeat except given without from and to");
    }
    return undefined;
  }
  if (typeof from !== "string" || typeof to !== "string") {
    failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "heartbeat from and to must both be decimal strings");
  }
  const first = sequenceNumberFromString(from, "from");
  const last = sequenceNumberFromString(to, "to");
  if (first > last) failFrame("P2CORE_GATEWAY_INVALID_SEQUENCE", `heartbeat from ${first} > to ${last}`);
  if (last - first + 1 > limits.maxSpan) {
    failFrame(
      "P2CORE_GATEWAY_INVALID_SEQUENCE",
      `heartbeat range [${first}, ${last}] spans more than ${limits.maxSpan} sequence numbers`,
    );
  }
  const missing: number[] = [];
  if (isPresent(except)) {
    if (!Array.isArray(except))
      failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "heartbeat except must be an array");
    if (except.length > limits.maxExcept) {
      failFrame(
        "P2CORE_GATEWAY_INVALID_SEQUENCE",
        `heartbeat except lists ${except.length} sequence numbers (at most ${limits.maxExcept})`,
      );
    }
    const seen = new Set<number>();
    for (const entry of except) {
      if (typeof entry !== "string") {
        failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", "heartbeat except entries must be decimal strings");
      }
      const s = sequenceNumberFromString(entry, "except entry");
      if (s < first || s > last) {
        failFrame(
          "P2CORE_GATEWAY_INVALID_SEQUENCE",
          `heartbeat except ${s} lies outside [${first}, ${last}]`,
        );
      }
      if (seen.has(s)) failFrame("P2CORE_GATEWAY_INVALID_SEQUENCE", `heartbeat except lists ${s} twice`);
      seen.add(s);
      missing.push(s);
    }
    missing.sort((a, b) => a - b);
  }
  return { from: first, to: last, except: missing };
}

/** True when the range says `s` arrived: within [from, to] and not in `except`. */
export function heartbeatRangeIncludes(range: HeartbeatRange | undefined, s: number): boolean {
  if (!range || s < range.from || s > range.to) return false;
  let lo = 0;
  let hi = range.except.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = range.except[mid]!;
    if (x === s) return false;
    if (x < s) lo = mid + 1;
    else hi = mid - 1;
  }
  return true;
}

/**
 * Server side: the sequence numbers to re-send in the Heartbeat ACK, ascending [core §3.2.6].
 * `lastSent` is the highest sequence number the server has sent on this gateway session (undefined
 * before the first). A range reaching beyond it acknowledges events that never existed: 4007.
 * Whether each requested event is still in the replay buffer is the caller's question.
 */
export function sequenceNumbersToResend(
  range: HeartbeatRange | undefined,
  lastSent: number | undefined,
): number[] {
  if (!range) return [];
  if (lastSent === undefined || range.to > lastSent) {
    failFrame(
      "P2CORE_GATEWAY_INVALID_SEQUENCE",
      `heartbeat reaches ${range.to}, but the last sequence number sent was ${lastSent ?? "none"}`,
    );
  }
  return [...range.except];
}

export interface HeartbeatFromReceivedOptions {
  /**
   * The sequence number the client expected next when the interval began (the previous heartbeat's
   * `to` + 1, or the first number of the session). When it is below the lowest number received, the
   * range starts there, so events lost at the start of the interval are reported too — the spec's
   * "lowest number received" alone would let them go unnoticed.
   */
  expectedFrom?: number;
  /**
   * Numbers received in an earlier interval (typically events re-sent in a Heartbeat ACK arrive after
   * newer ones); they are never reported missing again.
   */
  alreadyReceived?: (s: number) => boolean;
  /** The same bounds the server enforces; exceeding them throws instead of sending a heartbeat the
   * server would close the connection for (a client that far behind should resume instead). */
  limits?: Readonly<HeartbeatLimits>;
}

/**
 * Client side: the Heartbeat `d` for the sequence numbers received since the last heartbeat (any order,
 * duplicates allowed). `from` and `to` are the lowest and highest received, `except` what is missing in
 * between (omitted when nothing is). Nothing received gives `{}`.
 */
export function heartbeatFromReceived(
  received: Iterable<number>,
  options: HeartbeatFromReceivedOptions = {},
): HeartbeatPayload {
  const limits = options.limits ?? DEFAULT_HEARTBEAT_LIMITS;
  const got = new Set<number>();
  let lowest = Number.POSITIVE_INFINITY;
  let highest = -1;
  for (const s of received) {
    if (!isSequenceNumber(s)) {
      failFrame("P2CORE_GATEWAY_INVALID_SEQUENCE", `received sequence number ${String(s)} is not one`);
    }
    got.add(s);
    if (s < lowest) lowest = s;
    if (s > highest) highest = s;
  }
  if (got.size === 0) return {};
  const { expectedFrom } = options;
  if (expectedFrom !== undefined && !isSequenceNumber(expectedFrom)) {
    failFrame(
      "P2CORE_GATEWAY_INVALID_SEQUENCE",
      `expectedFrom ${String(expectedFrom)} is not a sequence number`,
    );
  }
  const from = expectedFrom !== undefined && expectedFrom < lowest ? expectedFrom : lowest;
  if (highest - from + 1 > limits.maxSpan) {
    failFrame(
      "P2CORE_GATEWAY_INVALID_SEQUENCE",
      `received range [${from}, ${highest}] spans more than ${limits.maxSpan} sequence numbers; resume instead`,
    );
  }
  const except: string[] = [];
  for (let s = from; s <= highest; s++) {
    if (got.has(s) || options.alreadyReceived?.(s)) continue;
    if (except.length === limits.maxExcept) {
      failFrame(
        "P2CORE_GATEWAY_INVALID_SEQUENCE",
        `more than ${limits.maxExcept} sequence numbers missing in [${from}, ${highest}]; resume instead`,
      );
    }
    except.push(String(s));
  }
  const wire: HeartbeatRangeWire = { from: String(from), to: String(highest) };
  if (except.length > 0) wire.except = except;
  return wire;
}
