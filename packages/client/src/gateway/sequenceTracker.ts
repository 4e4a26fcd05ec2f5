/**
 * The client's half of guaranteed delivery [core §3.2.6, PROFILE §5]: which sequence numbers of the
 * gateway session arrived, what to tell the server in each heartbeat, and the order events are handed
 * to the application in — exactly once, ascending `s`, whether they arrive live, re-sent in a
 * Heartbeat ACK (op 7) or replayed in Resumed (op 10).
 *
 * An event that arrives ahead of a gap waits until the gap is filled. Each heartbeat reports the
 * numbers received since the previous one, starting from the first number not yet delivered
 * (`expectedFrom`), so numbers lost at the start of an interval — or asked for before and still
 * missing — are listed in `except` and re-sent; numbers that arrived earlier are never reported
 * missing again (`alreadyReceived`). Pure: no timers, no I/O.
 */
import { heartbeatFromReceived, type HeartbeatPayload } from "@p2chat/polyproto";

export interface Sequenced {
  readonly s: number;
}

export class SequenceTracker<F extends Sequenced> {
  /** The lowest sequence number not yet delivered. */
  private next = 0;
  /** Events received ahead of a gap, by `s`. */
  private readonly waiting = new Map<number, F>();
  /** Numbers received since the last heartbeat (at or above `intervalStart`). */
  private readonly interval = new Set<number>();
  /** `next` when the last heartbeat was built: the next heartbeat's `expectedFrom`. */
  private intervalStart = 0;

  /** Highest `s` delivered in order, or -1 before the first: what a Resume asks to continue after. */
  get lastContiguous(): number {
    return this.next - 1;
  }

  /** How many events wait behind a gap. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /**
   * Takes one received event; returns the events now deliverable, in order (none for a duplicate
   * or for an event behind a gap).
   */
  accept(frame: F): F[] {
    const { s } = frame;
    if (s < this.next || this.waiting.has(s)) return [];
    if (s >= this.intervalStart) this.interval.add(s);
    if (s !== this.next) {
      this.waiting.set(s, frame);
      return [];
    }
    const ready = [frame];
    this.next++;
    for (
      let queued = this.waiting.get(this.next);
      queued !== undefined;
      queued = this.waiting.get(this.next)
    ) {
      this.waiting.delete(this.next);
      ready.push(queued);
      this.next++;
    }
    return ready;
  }

  /**
   * The Heartbeat `d` for this interval (`{}` when nothing arrived), then starts the next interval.
   * Throws (a GatewayFrameError) when the range would exceed the server's limits: resume instead.
   */
  heartbeat(): HeartbeatPayload {
    const next = this.next;
    const waiting = this.waiting;
    const payload = heartbeatFromReceived(this.interval, {
      expectedFrom: this.intervalStart,
      alreadyReceived: (s) => s < next || waiting.has(s),
    });
    this.interval.clear();
    this.intervalStart = this.next;
    return payload;
  }

  /**
   * Starts a new gateway session (a fresh Identify: numbering restarts at 0). Returns the events
   * that were waiting behind a gap that can no longer be filled, in order, so they are not lost.
   */
  reset(): F[] {
    const stranded = [...this.waiting.values()].sort((a, b) => a.s - b.s);
    this.waiting.clear();
    this.interval.clear();
    this.next = 0;
    this.intervalStart = 0;
    return stranded;
  }
}
