/**
 * ULIDs for messages and attachments (PROFILE §4): time-ordered, monotonic within this process. The
 * `ulid` package asks the platform for randomness once per character (16 calls per ID); this draws
 * from a pool refilled 1 KiB at a time, which costs a hundredth of that on the send path.
 */
import { randomFillSync } from "node:crypto";
import { monotonicFactory, type ULIDFactory } from "ulid";

const pool = new Uint32Array(256);
let next = pool.length;

/** Uniform in [0, 1), from the OS's CSPRNG. */
function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 0x1_0000_0000;
}

/** A monotonic ULID factory: `factory(now)`. */
export function ulidFactory(): ULIDFactory {
  return monotonicFactory(pooledRandom);
}
