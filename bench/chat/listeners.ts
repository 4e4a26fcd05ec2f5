/**
 * The gateway side of bench/chat: many WebSocket listeners in one process, driven over IPC. Each
 * identifies, subscribes to `chat`, then counts MessageCreate frames and records, for each, now minus
 * the Message's `receivedAt` (the server's clock when it accepted the POST; same machine, same clock).
 */
import WebSocket from "ws";

type Command =
  | { cmd: "connect"; url: string; tokens: string[] }
  | { cmd: "reset"; record: boolean }
  | { cmd: "report" }
  | { cmd: "close" };

let sockets: WebSocket[] = [];
let received = 0;
let latencies: number[] = [];
let recording = false;
const now = () => performance.timeOrigin + performance.now();
const RECEIVED_AT = Buffer.from('"receivedAt":');

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    let ready = false;
    socket.on("message", (data: Buffer) => {
      if (ready) {
        // Only MessageCreate frames carry receivedAt at the top of `d`; read just that number.
        const at = data.indexOf(RECEIVED_AT);
        if (at < 0) return;
        received++;
        if (recording) {
          const start = at + RECEIVED_AT.length;
          latencies.push(now() - Number(data.subarray(start, start + 13).toString()));
        }
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
      else if (code !== 1005 && code !== 1006) console.error(`listener closed with ${code}`);
    });
  });
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "connect":
      sockets = await Promise.all(command.tokens.map((token) => open(command.url, token)));
      return { connected: sockets.length };
    case "reset":
      received = 0;
      latencies = [];
      recording = command.record;
      return {};
    case "report": {
      const report = { received, latencies };
      recording = false;
      return report;
    }
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
