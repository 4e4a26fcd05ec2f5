/**
 * bench/server — HTTP throughput of one home server: the server runs in this process (SQLite,
 * P2_RATE_LIMITS=off, no logging), the load comes from a child process (`server/loadClient.ts`: many
 * concurrent keep-alive requests), so the client's cost does not hide the server's.
 *
 * Figures: `GET /idcert/actor/{fid}` requests/s (an actor's CacheableIDCerts), requests/s of an
 * authenticated route that does almost nothing else (`GET /session/keymaterial` with none stored:
 * token look-up, one indexed query, 204), and foreign authentications/s with warm caches
 * (`GET /challenge` + `POST /session/auth` with a cert of another home server whose root and cert this
 * server has cached). Targets: ≥ 5,000 idcert look-ups/s, ≥ 500 foreign authentications/s.
 *
 * Beside each rate: the server's CPU time per operation (this process's user + system time over the
 * measured window, divided by the operations) and the rate one fully used core gives at that cost —
 * steadier than the rate itself when other work shares the machine.
 *
 * `BENCH_SECONDS` (default 3) per figure, `BENCH_CONCURRENCY` (default 32) requests in flight,
 * `BENCH_ONLY=idcert|noop|foreign` for one figure (to profile: `node --cpu-prof --import tsx
 * bench/server.ts`).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createIdCsr, SigningKey, signKeyTrial } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "@p2chat/server";
import { printFigure } from "./measure.js";
import type { LoadOptions, LoadResult, Scenario } from "./server/loadClient.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const only = process.env.BENCH_ONLY;
const PASSWORD = "correct horse battery staple";
const clientPath = fileURLToPath(new URL("./server/loadClient.ts", import.meta.url));

interface Measured extends LoadResult {
  /** This process's CPU time per operation over the measured window, µs. */
  readonly serverCpuMicros: number;
}

/** Runs the load client in a child process and returns what it measured. */
function runClient(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", clientPath, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`load client exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").pop() ?? "{}") as LoadResult);
    });
  });
}

/** The client's figures, and this process's CPU time per operation during the measured window. */
async function load(scenario: Scenario): Promise<Measured> {
  const warmupSeconds = 1;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpu: NodeJS.CpuUsage | undefined;
  // The client warms up for `warmupSeconds`, then measures for `seconds`; sample the same window.
  const startTimer = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
  }, warmupSeconds * 1000);
  const endTimer = setTimeout(
    () => {
      cpu = process.cpuUsage(cpuAtStart);
    },
    (warmupSeconds + seconds) * 1000,
  );
  const result = await runClient({ scenario, concurrency, seconds, warmupSeconds });
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  cpu ??= process.cpuUsage(cpuAtStart);
  return { ...result, serverCpuMicros: (cpu.user + cpu.system) / Math.max(1, result.operations) };
}

function report(name: string, result: Measured, target?: number): void {
  if (result.errors > 0) {
    console.log(`${name}: ${result.errors} failed requests, first: ${result.firstError}`);
    process.exitCode = 1;
  }
  printFigure(name, result.perSecond, "/s", target === undefined ? undefined : { min: target });
  console.log(
    `${"".padEnd(48)} latency p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms; ` +
      `server CPU ${result.serverCpuMicros.toFixed(0)} µs/op (${(1e6 / result.serverCpuMicros).toFixed(0)}/s per core)`,
  );
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Registers an actor on `server` and logs it in through the real routes; its key, cert and token. */
async function actor(server: TestServer, localName: string) {
  const registered = await post(`${server.url}/.p2/auth/v1/register`, { localName, password: PASSWORD });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const key = await SigningKey.generate();
  const csr = await createIdCsr({
    signingKey: key,
    fid: `${localName}@${server.config.domain}`,
    sessionId: "bench",
  });
  const login = await post(`${server.url}/.p2/auth/v1/login`, {
    localName,
    password: PASSWORD,
    csr: csr.pem,
  });
  if (login.status !== 201) throw new Error(`login: ${login.status} ${await login.text()}`);
  const { idCertPem, token } = (await login.json()) as { idCertPem: string; token: string };
  return { key, idCertPem, token };
}

// The foreign actor's home server (idle once this server has cached its certs) and the one measured.
const home = await startTestServer({ env: { P2_DOMAIN: "b.test", P2_RATE_LIMITS: "off" } });
const server = await startTestServer({
  env: { P2_DOMAIN: "a.test", P2_RATE_LIMITS: "off", P2_PEERS: JSON.stringify({ "b.test": home.url }) },
});
try {
  console.log(
    `bench/server — ${seconds} s per figure, ${concurrency} requests in flight, Node ${process.version}`,
  );
  const alice = await actor(server, "alice");
  const carol = await actor(home, "carol");

  if (!only || only === "idcert") {
    report(
      "GET /idcert/actor/{fid} requests/s",
      await load({
        kind: "get",
        url: `${server.url}/.p2/core/v1/idcert/actor/alice@a.test`,
        headers: {},
        status: 200,
      }),
      5000,
    );
  }
  if (!only || only === "noop") {
    report(
      "authenticated no-op (GET /session/keymaterial) req/s",
      await load({
        kind: "get",
        url: `${server.url}/.p2/core/v1/session/keymaterial`,
        headers: { authorization: `Bearer ${alice.token}` },
        status: 204,
      }),
    );
  }

  const routes = (await (await fetch(`${server.url}/.p2/openapi.json`)).json()) as {
    paths: Record<string, unknown>;
  };
  if (only && only !== "foreign") {
    // another figure was asked for
  } else if (!routes.paths["/.p2/core/v1/challenge"] || !routes.paths["/.p2/core/v1/session/auth"]) {
    console.log("foreign authentication: route not available");
  } else {
    // One authentication first, so this server has fetched and cached b.test's root and carol's cert.
    const { challenge } = (await (await fetch(`${server.url}/.p2/core/v1/challenge`)).json()) as {
      challenge: string;
    };
    const warm = await post(`${server.url}/.p2/core/v1/session/auth`, {
      idCertPem: carol.idCertPem,
      challenge,
      signature: await signKeyTrial(carol.key, challenge),
    });
    if (warm.status !== 200) throw new Error(`foreign authentication: ${warm.status} ${await warm.text()}`);
    report(
      "foreign authentications/s (warm caches)",
      await load({
        kind: "foreign",
        baseUrl: server.url,
        idCertPem: carol.idCertPem,
        keyPem: carol.key.toPkcs8Pem(),
      }),
      500,
    );
  }
} finally {
  await server.close();
  await home.close();
}
