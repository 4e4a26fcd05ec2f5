/** Loads the conformance vectors kept in packages/polyproto/vectors (see its README). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const VECTORS_DIR = fileURLToPath(new URL("../vectors/", import.meta.url));

export function vectorPath(relative: string): string {
  return VECTORS_DIR + relative;
}

export function readVector(relative: string): string {
  return readFileSync(vectorPath(relative), "utf8");
}

export function readVectorJson<T = unknown>(relative: string): T {
  return JSON.parse(readVector(relative)) as T;
}
