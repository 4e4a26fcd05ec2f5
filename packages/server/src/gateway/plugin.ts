/**
 * The gateway's HTTP side: `GET /.p2/core/v1/gateway` upgrades to a WebSocket (permessage-deflate
 * offered, never required), and `GET /.p2/core/v1/events` serves clients without a socket.
 */
import { Type } from "typebox";
import { WebSocketServer } from "ws";
import { bearerSecurity, requireSession, sessionOf } from "../http/authenticate.js";
import { ErrorBody, P2Error } from "../http/errors.js";
import type { FeaturePlugin } from "../features/context.js";

export const GATEWAY_PATH = "/.p2/core/v1/gateway";

export const gatewayPlugin: FeaturePlugin = async (app, { services }) => {
  const { gateway, sessions } = services;
  const wss = new WebSocketServer({
    noServer: true,
    // ws answers frames beyond this with 1009; frames between maxFrameBytes and this get 4002.
    maxPayload: gateway.options.maxFrameBytes * 4,
    perMessageDeflate: {
      threshold: 1024,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      concurrencyLimit: 4,
    },
    clientTracking: false,
  });
  wss.on("connection", (socket) => gateway.accept(socket));

  app.server.on("upgrade", (request, socket, head) => {
    const path = (request.url ?? "").split("?")[0];
    if (path !== GATEWAY_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });
  app.addHook("onClose", async () => {
    await gateway.close();
    wss.close();
  });

  app.get(
    GATEWAY_PATH,
    {
      schema: {
        tags: ["Gateway"],
        summary: "WebSocket gateway (send an Upgrade request); a plain GET answers 426",
        response: { 426: ErrorBody },
      },
    },
    async () => {
      throw new P2Error(426, "P2CORE_UPGRADE_REQUIRED", "connect with a WebSocket client");
    },
  );

  app.get(
    "/.p2/core/v1/events",
    {
      schema: {
        tags: ["Gateway"],
        summary: "Events for clients without a socket: every event after `after` (acknowledging those up to it)",
        security: bearerSecurity,
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: -1, maximum: Number.MAX_SAFE_INTEGER })),
          services: Type.Optional(Type.String({ maxLength: 200, description: "comma-separated, e.g. chat,mls" })),
        }),
        response: {
          200: Type.Object({ events: Type.Array(Type.Unknown({ description: "a gateway frame with its s" })) }),
          401: ErrorBody,
          410: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const services = request.query.services?.split(",").filter((s) => s.length > 0) ?? [];
      const frames = await gateway.poll(sessionOf(request), request.query.after, services);
      if (!frames) throw new P2Error(410, "P2CORE_EVENTS_GONE", "events after `after` are no longer held; start again without it");
      // The frames are already JSON text (as sent on the socket): joined, not re-serialised.
      return reply.type("application/json").send(`{"events":[${frames.join(",")}]}` as never);
    },
  );
};
