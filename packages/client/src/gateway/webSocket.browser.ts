/** Browsers: the platform's WebSocket (permessage-deflate is the browser's business). */
import type { SocketFactory } from "./socket.js";

export const openSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event: MessageEvent) => {
    if (typeof event.data === "string") handlers.onText(event.data);
    else handlers.onBinary();
  };
  socket.onclose = (event: CloseEvent) => handlers.onClose(event.code, event.reason);
  return {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close: (code, reason) => {
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN)
        socket.close(code, reason);
    },
  };
};
