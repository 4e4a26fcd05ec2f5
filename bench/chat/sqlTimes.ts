/**
 * BENCH_SQLPROF=1 (bench/chat): preloaded into the server process, times every SQLite statement by its
 * SQL text and prints the most expensive ones when the process exits. A diagnostic, not a figure.
 */
import SQLite from "better-sqlite3";

const stats = new Map<string, { n: number; ms: number }>();
const proto = (SQLite as unknown as { prototype: { prepare: (sql: string) => unknown } }).prototype;
const prepare = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  const statement = prepare.call(this, sql) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ["all", "run", "get"]) {
    const original = statement[method]!.bind(statement);
    statement[method] = (...args: unknown[]) => {
      const start = performance.now();
      try {
        return original(...args);
      } finally {
        const key = sql.replace(/\?(, ?\?)+/g, "?,…").slice(0, 140);
        const s = stats.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - start;
        stats.set(key, s);
      }
    };
  }
  return statement;
};
process.on("exit", () => {
  const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
  for (const [sql, s] of rows)
    console.error(
      `${s.ms.toFixed(0).padStart(7)} ms ${String(s.n).padStart(7)}× ${((s.ms / s.n) * 1000).toFixed(0).padStart(5)} µs  ${sql}`,
    );
});
