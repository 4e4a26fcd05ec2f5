/**
 * Draining on close. Fastify's close stops listening and closes idle keep-alive connections once,
 * but a connection busy with a request at that moment would stay open after its response until the
 * keep-alive timeout (72 s) and hold the process. So every response sent while closing carries
 * `Connection: close`, and the connection ends with it.
 */
import type { FastifyInstance } from "fastify";

export function closeConnectionsWhenDraining(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
}
