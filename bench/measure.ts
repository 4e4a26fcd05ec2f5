/** Tiny measuring helpers shared by the benchmarks: run an async operation for a while, count. */

export interface Rate {
  operations: number;
  seconds: number;
  perSecond: number;
}

/** Runs `operation` back to back (one at a time, so on one core) for about `seconds`. */
export async function measureRate(operation: () => Promise<unknown>, seconds = 2): Promise<Rate> {
  for (let i = 0; i < 50; i++) await operation(); // warm-up: JIT, caches
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let operations = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 25; i++) await operation();
    operations += 25;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { operations, seconds: elapsed, perSecond: operations / elapsed };
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export function printFigure(
  name: string,
  value: number,
  unit: string,
  target?: { min?: number; max?: number },
): void {
  let verdict = "";
  if (target?.min !== undefined)
    verdict = value >= target.min ? ` (target ≥ ${target.min}: met)` : ` (target ≥ ${target.min}: MISSED)`;
  if (target?.max !== undefined)
    verdict = value <= target.max ? ` (target ≤ ${target.max}: met)` : ` (target ≤ ${target.max}: MISSED)`;
  console.log(`${name.padEnd(48)} ${value.toFixed(value >= 100 ? 0 : 2).padStart(10)} ${unit}${verdict}`);
}
