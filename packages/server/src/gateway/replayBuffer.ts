/**
 * The per-session replay buffer (PROFILE §5): every sequenced frame sent on a gateway session, kept
 * for resumes and for re-sends requested by a heartbeat's `except`, bounded by count and by age
 * (default 10,000 events or 10 minutes). Allocated on first use: idle sessions hold nothing.
 */

export interface ReplayLimits {
  readonly maxEvents: number;
  readonly maxAgeMs: number;
}

export interface ReplayEntry {
  readonly s: number;
  readonly text: string;
  readonly at: number;
  readonly id: string;
}

export class ReplayBuffer {
  // Parallel arrays used as a ring: cheaper than one object per event.
  private seqs: number[] = [];
  private texts: string[] = [];
  private times: number[] = [];
  /** Bus event IDs (empty for frames that were not bus events, such as Ready). */
  private ids: string[] = [];
  private head = 0;

  constructor(private readonly limits: ReplayLimits) {}

  get size(): number {
    return this.seqs.length - this.head;
  }

  /** Appends the frame sent with sequence number `s` (strictly increasing). */
  push(s: number, text: string, now: number, id = ""): void {
    this.seqs.push(s);
    this.texts.push(text);
    this.times.push(now);
    this.ids.push(id);
    if (this.size > this.limits.maxEvents) this.head++;
    if (this.head > 1024 && this.head * 2 > this.seqs.length) this.compact();
  }

  /** Drops what is older than the age limit. */
  trim(now: number): void {
    const oldest = now - this.limits.maxAgeMs;
    while (this.head < this.seqs.length && this.times[this.head]! < oldest) this.head++;
    if (this.head > 0 && this.head * 2 > this.seqs.length) this.compact();
  }

  /** The frame sent as `s`, if still held. */
  get(s: number): string | undefined {
    if (this.size === 0) return undefined;
    const index = this.head + (s - this.seqs[this.head]!);
    return index >= this.head && index < this.seqs.length && this.seqs[index] === s ? this.texts[index] : undefined;
  }

  /**
   * Every frame after `s` in order, or undefined when some of them are gone (the session cannot be
   * resumed from `s`). `nextSeq` is the number the next frame would get.
   */
  after(s: number, nextSeq: number): string[] | undefined {
    const first = s + 1;
    if (first >= nextSeq) return [];
    if (this.size === 0 || this.seqs[this.head]! > first) return undefined;
    const start = this.head + (first - this.seqs[this.head]!);
    return this.texts.slice(start);
  }

  /** Everything held, oldest first, with sequence numbers and times (for a handoff to another node). */
  entries(): ReplayEntry[] {
    const out: ReplayEntry[] = [];
    for (let i = this.head; i < this.seqs.length; i++) {
      out.push({ s: this.seqs[i]!, text: this.texts[i]!, at: this.times[i]!, id: this.ids[i]! });
    }
    return out;
  }

  private compact(): void {
    this.seqs = this.seqs.slice(this.head);
    this.texts = this.texts.slice(this.head);
    this.times = this.times.slice(this.head);
    this.ids = this.ids.slice(this.head);
    this.head = 0;
  }
}
