/**
 * The load generator of bench/server, run as a child process so its cost stays off the server's core:
 * `concurrency` loops, each sending its next request as soon as the previous answer is read, over
 * keep-alive connections, for `seconds` after a warm-up. Prints one JSON line: requests (or
 * operations), seconds, errors, latency percentiles.
 *
 * Scenarios: `get` (one URL, fixed headers, expected status) and `foreign` (GET /challenge, sign it,
 * POST /session/auth: one foreign authentication per operation).
 */
import http from "node:http";
import { SigningKey, signKeyTrial } from "@p2chat/polyproto";
import { percentile } from "../measure.js";

export type Scenario =
  | { kind: "get"; url: string; headers: Record<string, string>; status: number }
  | { kind: "foreign"; baseUrl: string; idCertPem: string; keyPem: string };

export interface LoadOptions {
  readonly scenario: Scenario;
  readonly concurrency: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

export interface LoadResult {
  readonly operations: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as LoadOptions;
const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, agent }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

async function operationOf(scenario: Scenario): Promise<() => Promise<void>> {
  if (scenario.kind === "get") {
    return async () => {
      const answer = await request(scenario.url, "GET", scenario.headers);
      if (answer.status !== scenario.status)
        throw new Error(`status ${answer.status}: ${answer.body.slice(0, 200)}`);
    };
  }
  const key = await SigningKey.fromPkcs8Pem(scenario.keyPem);
  const json = { "content-type": "application/json" };
  return async () => {
    const trial = await request(`${scenario.baseUrl}/.p2/core/v1/challenge`, "GET", {});
    if (trial.status !== 200)
      throw new Error(`challenge: status ${trial.status}: ${trial.body.slice(0, 200)}`);
    const { challenge } = JSON.parse(trial.body) as { challenge: string };
    const signature = await signKeyTrial(key, challenge);
    const auth = await request(
      `${scenario.baseUrl}/.p2/core/v1/session/auth`,
      "POST",
      json,
      JSON.stringify({ idCertPem: scenario.idCertPem, challenge, signature }),
    );
    if (auth.status !== 200)
      throw new Error(`session/auth: status ${auth.status}: ${auth.body.slice(0, 200)}`);
  };
}

async function run(): Promise<LoadResult> {
  const operation = await operationOf(options.scenario);
  let measuring = false;
  let stop = false;
  let operations = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const loop = async () => {
    while (!stop) {
      const start = performance.now();
      try {
        await operation();
        if (measuring) {
          operations++;
          latencies.push(performance.now() - start);
        }
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  await new Promise((resolve) => setTimeout(resolve, options.warmupSeconds * 1000));
  measuring = true;
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    operations,
    seconds,
    perSecond: operations / seconds,
    errors,
    ...(firstError !== undefined && { firstError }),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

console.log(JSON.stringify(await run()));
