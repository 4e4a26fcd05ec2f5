/**
 * The client side of bench/gateway: many WebSocket clients in one process, driven over IPC. They
 * identify, subscribe to `chat`, then count what arrives and record fanout latencies (the server
 * stamps each bench event with its send time `t`, on the shared clock of performance.timeOrigin).
 */
import WebSocket from "ws";

type Command =
  | { cmd: "connect"; url: string; tokens: string[] }
  | { cmd: "reset" }
  | { cmd: "report" }
  | { cmd: "close" };

let sockets: WebSocket[] = [];
let received = 0;
let latencies: number[] = [];
const now = () => performance.timeOrigin + performance.now();

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let ready = false;
    socket.on("message", (data: Buffer) => {
      if (ready) {
        received++;
        // Only bench events carry "t"; parse just the number instead of the whole frame.
        const at = data.indexOf('"t":');
        if (at >= 0) latencies.push(now() - Number.parseFloat(data.subarray(at + 4, at + 30).toString()));
        return;
      }
      const frame = JSON.parse(data.toString()) as { op: number };
      if (frame.op === 1) socket.send(JSON.stringify({ n: "core", op: 2, d: { token } }));
      else if (frame.op === 12)
        socket.send(JSON.stringify({ n: "core", op: 8, d: { action: "subscribe", service: "chat" } }));
      else if (frame.op === 9) {
        ready = true;
        resolve(socket);
      }
    });
    socket.once("error", reject);
    socket.once("close", (code) => {
      if (!ready) reject(new Error(`closed with ${code} before ready`));
    });
  });
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "connect": {
      // In batches, so the server's accept queue never overflows.
      for (let i = 0; i < command.tokens.length; i += 200) {
        const batch = command.tokens.slice(i, i + 200);
        sockets.push(...(await Promise.all(batch.map((token) => open(command.url, token)))));
      }
      return { connected: sockets.length };
    }
    case "reset":
      received = 0;
      latencies = [];
      return {};
    case "report":
      return { received, latencies };
    case "close":
      for (const socket of sockets) socket.terminate();
      sockets = [];
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
