/**
 * The WebSocket the gateway client talks through, reduced to what it needs. The platform's comes from
 * the `#platform/webSocket` import condition: the `ws` package in Node, the browser's own WebSocket
 * in browsers. Tests may pass their own factory.
 */
export interface SocketHandlers {
  onOpen(): void;
  onText(text: string): void;
  /** A binary frame: not part of the protocol. */
  onBinary(): void;
  /** The connection ended (1006 when it dropped without a close frame). Always called once. */
  onClose(code: number, reason: string): void;
}

export interface GatewaySocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => GatewaySocket;
