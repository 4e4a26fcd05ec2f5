/**
 * Requests Node's HTTP parser refuses before Fastify sees them (an unknown method, a malformed request
 * line or header, conflicting Content-Length and Transfer-Encoding, headers over the size limit, a
 * request that takes too long to arrive) still get the PROFILE §4 error body, not Fastify's own.
 * The connection is closed afterwards: after a parse error the rest of the stream means nothing.
 */
import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ErrorBody, P2ErrorCode } from "./errors.js";

function answer(error: NodeJS.ErrnoException): { status: number; code: P2ErrorCode; message: string } {
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return { status: 408, code: "P2CORE_REQUEST_TIMEOUT", message: "the request did not arrive in time" };
  }
  if (error.code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      code: "P2CORE_HEADERS_TOO_LARGE",
      message: "request headers are larger than this server accepts",
    };
  }
  return {
    status: 400,
    code: "P2CORE_INVALID_REQUEST",
    message: `malformed HTTP request (${error.code ?? "parse error"})`,
  };
}

/** Fastify `clientErrorHandler`. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const { status, code, message } = answer(error);
  const body = JSON.stringify({ errcode: status, error: code, message } satisfies ErrorBody);
  // The answer to a HEAD request has no body (RFC 9110 §9.3.2): its client would read one as garbage
  // after the answer. Node hands over the bytes it refused, which begin with the request line.
  const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? "" : body}`,
    );
  }
  socket.destroy(error);
}

/**
 * `CONNECT` (a proxy's method) never reaches Fastify; without a listener Node drops the connection
 * silently. Answer it like any other refused request.
 */
export function refuseConnect(server: Server): void {
  server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
    const body = JSON.stringify({
      errcode: 405,
      error: "P2CORE_METHOD_NOT_ALLOWED",
      message: "this server is not a proxy",
    } satisfies ErrorBody);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
