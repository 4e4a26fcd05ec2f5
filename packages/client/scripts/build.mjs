// Builds dist/: JavaScript, declarations and source maps (tsc -p tsconfig.build.json), and
// dist/package.json — the package as it would be published: `exports` and the `#platform/*` imports
// pointing at the compiled files (Node resolves `#` imports through the nearest package.json, so the
// compiled files find their platform variants there). In the workspace, src/ is used directly.
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, "../../node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")],
  {
    stdio: "inherit",
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const source = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const compiled = (path) => path.replace("./src/", "./").replace(/\.ts$/, ".js");
const declared = (path) => path.replace("./src/", "./").replace(/\.ts$/, ".d.ts");
const imports = {};
for (const [name, target] of Object.entries(source.imports)) {
  imports[name] = {
    types: declared(target.types),
    browser: compiled(target.browser),
    default: compiled(target.default),
  };
}
const published = {
  name: source.name,
  version: source.version,
  description: source.description,
  type: "module",
  exports: {
    ".": {
      types: "./index.d.ts",
      browser: "./index.js",
      node: "./index.js",
      import: "./index.js",
      default: "./index.js",
    },
  },
  imports,
  dependencies: source.dependencies,
};
writeFileSync(join(dist, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
copyFileSync(join(root, "README.md"), join(dist, "README.md"));
console.log(`built ${dist}`);
