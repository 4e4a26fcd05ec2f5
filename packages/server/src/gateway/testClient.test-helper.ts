/** A bare WebSocket client for gateway tests: collects frames, waits for ops and for the close code. */
import { createIdCsr, SigningKey } from "@p2chat/polyproto";
import WebSocket from "ws";
import type { TestServer } from "../testing.js";

export interface Frame {
  n: string;
  op: number;
  d: unknown;
  s?: number;
}

export class TestGatewayClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      }),
    );
  }

  static async connect(server: TestServer, options: WebSocket.ClientOptions = {}): Promise<TestGatewayClient> {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/.p2/core/v1/gateway`, { perMessageDeflate: false, ...options });
    const client = new TestGatewayClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    await client.next((f) => f.op === 1 && f.n === "core");
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (from the beginning) matching `match`, waiting up to `ms`. */
  async next(match: (frame: Frame) => boolean, ms = 3000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error("socket closed while waiting");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async identify(token: string): Promise<Frame> {
    this.send({ n: "core", op: 2, d: { token } });
    return this.next((f) => f.op === 12 && f.n === "core");
  }

  async closeCode(ms = 3000): Promise<number> {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no close")), ms));
    return (await Promise.race([this.closed, timeout])).code;
  }
}

/** Registers (if needed) and logs in `localName` on the test server; returns its token and cert. */
export async function loginActor(server: TestServer, localName: string, sessionId: string) {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await post("/.p2/auth/v1/register", { localName, password: "long enough pw" });
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: `${localName}@${server.config.domain}`, sessionId });
  const res = await post("/.p2/auth/v1/login", { localName, password: "long enough pw", csr: csr.pem });
  if (res.status !== 201) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return { ...((await res.json()) as { token: string; idCertPem: string }), key };
}
