/**
 * A scripted gateway for tests of the client's side of the protocol: the test decides every frame the
 * "server" sends (gaps, re-sends, duplicates, requests, close codes) and reads what the client sent.
 */
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface SentFrame {
  n: string;
  op: number;
  d: Record<string, unknown>;
}

export class FakeConnection {
  readonly received: SentFrame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.received.push(JSON.parse(data.toString()) as SentFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  hello(heartbeatInterval: number): void {
    this.send({ n: "core", op: 1, d: { heartbeatInterval } });
  }

  /** Waits for the `index`-th frame (0-based, counting from the start) matching `match`. */
  async next(match: (frame: SentFrame) => boolean, ms = 3000, index = 0): Promise<SentFrame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.filter(match)[index];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed)
        throw new Error(`no matching frame; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export class FakeGateway {
  readonly connections: FakeConnection[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: WebSocketServer) {
    server.on("connection", (socket) => {
      this.connections.push(new FakeConnection(socket));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async start(): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new FakeGateway(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/.p2/core/v1/gateway`;
  }

  /** The `index`-th connection (0-based), waiting for it. */
  async connection(index: number, ms = 3000): Promise<FakeConnection> {
    const deadline = Date.now() + ms;
    while (!this.connections[index]) {
      if (Date.now() > deadline) throw new Error(`no connection ${index}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.connections[index]!;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const isOp = (op: number) => (frame: SentFrame) => frame.n === "core" && frame.op === op;
