/** Node: the `ws` package (Node 20 has no WebSocket of its own). permessage-deflate is offered. */
import WebSocket from "ws";
import type { SocketFactory } from "./socket.js";

/** Resumed frames can be large (a replay of up to 10,000 events): allow far more than live frames. */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export const openSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url, { perMessageDeflate: true, maxPayload: MAX_PAYLOAD_BYTES });
  socket.on("open", () => handlers.onOpen());
  socket.on("message", (data, isBinary) => {
    if (isBinary) handlers.onBinary();
    else handlers.onText(Array.isArray(data) ? Buffer.concat(data).toString("utf8") : data.toString("utf8"));
  });
  socket.on("close", (code, reason) => handlers.onClose(code, reason.toString("utf8")));
  // 'close' always follows 'error'; without a listener an error would be thrown.
  socket.on("error", () => {});
  return {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close: (code, reason) => {
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
    },
  };
};
