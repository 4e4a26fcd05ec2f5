/**
 * The sending side of bench/chat, a child process: actors registered and logged in through the real
 * routes (each with its own key and ID-Cert), the guild and channel, and the load — every message is
 * an envelope built and signed here with polyproto's `signEnvelope`, as a client does, then POSTed
 * over keep-alive connections. Latencies are measured around the POST only (signing excluded).
 */
import http from "node:http";
import { createEnvelope, createIdCsr, parseIdCert, SigningKey, signEnvelope } from "@p2chat/polyproto";
import { percentile } from "../measure.js";

interface Sender {
  readonly fid: string;
  readonly sessionId: string;
  readonly serial: string;
  readonly key: SigningKey;
  readonly token: string;
}

type Command =
  | { cmd: "setup"; url: string; senders: number }
  | { cmd: "join"; tokens: string[] }
  | {
      cmd: "send";
      concurrency: number;
      seconds: number;
      warmupSeconds: number;
      gapMs?: number;
      count?: number;
    }
  | { cmd: "history"; requests: number }
  | { cmd: "get"; path: string; concurrency: number; seconds: number }
  | { cmd: "exit" };

const PASSWORD = "correct horse battery staple";
let base: URL;
let agent: http.Agent;
let senders: Sender[] = [];
let channelId = "";
let inviteCode = "";

function request(
  method: string,
  path: string,
  token: string | undefined,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const outgoing = http.request(
      { agent, host: base.hostname, port: base.port, method, path, headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

async function json<T>(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  status = 0,
): Promise<T> {
  const answer = await request(method, path, token, body === undefined ? undefined : JSON.stringify(body));
  if ((status && answer.status !== status) || answer.status >= 400) {
    throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  }
  return (answer.text ? JSON.parse(answer.text) : undefined) as T;
}

async function actor(localName: string): Promise<Sender> {
  await json("POST", "/.p2/auth/v1/register", undefined, { localName, password: PASSWORD }, 201);
  const key = await SigningKey.generate();
  const fid = `${localName}@bench.test`;
  const csr = await createIdCsr({ signingKey: key, fid, sessionId: "bench" });
  const { idCertPem, token } = await json<{ idCertPem: string; token: string }>(
    "POST",
    "/.p2/auth/v1/login",
    undefined,
    { localName, password: PASSWORD, csr: csr.pem },
    201,
  );
  return { fid, sessionId: "bench", serial: (await parseIdCert(idCertPem)).serial, key, token };
}

let sent = 0;
/** Signs and posts one message; resolves with the POST's latency in ms. */
async function sendOne(sender: Sender): Promise<number> {
  const envelope = createEnvelope({
    kind: "chat.message",
    to: `chat:channel:bench.test/${channelId}`,
    author: sender.fid,
    session: sender.sessionId,
    serial: sender.serial,
    body: { content: `message ${sent++} from ${sender.fid}: the quick brown fox jumps over the lazy dog` },
  });
  const body = JSON.stringify({ envelope, signature: await signEnvelope(sender.key, envelope) });
  const start = performance.now();
  const answer = await request("POST", `/.p2/chat/v1/channels/${channelId}/messages`, sender.token, body);
  const latency = performance.now() - start;
  if (answer.status !== 201) throw new Error(`POST message: ${answer.status} ${answer.text}`);
  return latency;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "setup": {
      base = new URL(command.url);
      agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      senders = [];
      for (let i = 0; i < command.senders; i++) senders.push(await actor(`sender${i}`));
      const owner = senders[0]!;
      const guild = await json<{ id: string }>(
        "POST",
        "/.p2/chat/v1/guilds",
        owner.token,
        { name: "bench" },
        201,
      );
      const channel = await json<{ id: string }>(
        "POST",
        `/.p2/chat/v1/guilds/${guild.id}/channels`,
        owner.token,
        { name: "general" },
        201,
      );
      channelId = channel.id;
      const invite = await json<{ code: string }>(
        "POST",
        `/.p2/chat/v1/channels/${channelId}/invites`,
        owner.token,
        {},
        201,
      );
      inviteCode = invite.code;
      for (const sender of senders.slice(1))
        await json("POST", `/.p2/chat/v1/invites/${inviteCode}`, sender.token, undefined, 201);
      return { channelId };
    }
    case "join":
      for (const token of command.tokens)
        await json("POST", `/.p2/chat/v1/invites/${inviteCode}`, token, undefined, 201);
      return {};
    case "send": {
      // `concurrency` loops, each its own sender, back to back (or one message per gapMs).
      const latencies: number[] = [];
      let accepted = 0;
      let total = 0;
      let recording = false;
      const warmupEnd = performance.now() + command.warmupSeconds * 1000;
      const end = warmupEnd + command.seconds * 1000;
      let measuredFrom = 0;
      const loops = Array.from({ length: command.concurrency }, async (_, index) => {
        const sender = senders[index % senders.length]!;
        for (let n = 0; ; n++) {
          const at = performance.now();
          if (at >= end || (command.count !== undefined && n >= command.count)) return;
          if (!recording && at >= warmupEnd) {
            recording = true;
            measuredFrom = at;
          }
          const latency = await sendOne(sender);
          total++;
          if (recording) {
            latencies.push(latency);
            accepted++;
          }
          if (command.gapMs) await new Promise((resolve) => setTimeout(resolve, command.gapMs));
        }
      });
      await Promise.all(loops);
      const seconds = (performance.now() - measuredFrom) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        accepted,
        total,
        perSecond: accepted / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
      };
    }
    case "history": {
      const reader = senders[1] ?? senders[0]!;
      const path = `/.p2/chat/v1/channels/${channelId}/messages?limit=50`;
      const latencies: number[] = [];
      for (let i = 0; i < command.requests + 50; i++) {
        const start = performance.now();
        const answer = await request("GET", path, reader.token);
        const latency = performance.now() - start;
        if (answer.status !== 200) throw new Error(`GET history: ${answer.status} ${answer.text}`);
        if (i === 0 && (JSON.parse(answer.text) as unknown[]).length !== 50)
          throw new Error("history page is not 50 long");
        if (i >= 50) latencies.push(latency); // the first 50 warm up
      }
      latencies.sort((a, b) => a - b);
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    }
    case "get": {
      // A plain authenticated GET in a loop: the baseline a message's cost compares with.
      const path = command.path.replace("{channelId}", channelId);
      const end = performance.now() + command.seconds * 1000;
      let total = 0;
      await Promise.all(
        Array.from({ length: command.concurrency }, async (_, index) => {
          const sender = senders[index % senders.length]!;
          while (performance.now() < end) {
            const answer = await request("GET", path, sender.token);
            if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
            total++;
          }
        }),
      );
      return { total };
    }
    case "exit":
      agent.destroy();
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on("message", (message: { id: number; command: Command }) => {
  handle(message.command).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.send?.({ ready: true });
