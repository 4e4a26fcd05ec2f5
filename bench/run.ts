/** `npm run bench [name…]`: runs the named benchmarks (default: all), each in its own process. */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(dir)
  .filter(
    (f) => f.endsWith(".ts") && !["run.ts", "measure.ts", "worker.ts"].includes(f) && !f.endsWith(".test.ts"),
  )
  .map((f) => f.replace(/\.ts$/, ""));
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : available;
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark ${name}; available: ${available.join(", ")}`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, ["--import", "tsx", `${dir}${name}.ts`], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
