/**
 * POST /.p2/chat/v1/attachments[?filename] — raw body with `Content-Length` and `Content-Type` →
 * 201 {id, url}. Streamed to disk, never held in memory; refused before a byte is read when the
 * headers already say no (411, 413, 415). Registered in its own encapsulated plugin: here any
 * content type is a raw stream, everywhere else JSON stays JSON.
 */
import type { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { AttachmentService } from "../attachments.js";
import { AttachmentCreated, AttachmentQuery } from "../schemas.js";

export async function uploadAttachment(
  app: FeatureApp,
  attachments: AttachmentService,
  sessions: SessionService,
): Promise<void> {
  await app.register(async (instance) => {
    const raw = instance.withTypeProvider<TypeBoxTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    raw.post(
      "/.p2/chat/v1/attachments",
      {
        schema: {
          tags: ["Chat"],
          summary: "Upload an attachment (raw body); reference its ID in a message's body.attachments",
          security: bearerSecurity,
          querystring: AttachmentQuery,
          response: {
            201: AttachmentCreated,
            400: ErrorBody,
            401: ErrorBody,
            411: ErrorBody,
            413: ErrorBody,
            415: ErrorBody,
          },
        },
        preHandler: requireSession(sessions),
      },
      async (request, reply) => {
        const headers = request.headers;
        try {
          const created = await attachments.upload(sessionOf(request), {
            contentType: headers["content-type"],
            contentLength: headers["content-length"],
            filename: request.query.filename,
            body: (request.body as Readable | undefined) ?? request.raw,
          });
          return reply.code(201).send(created);
        } catch (error) {
          // Refused before the body was read: close rather than read megabytes to keep the connection.
          if (!request.raw.complete) reply.header("connection", "close");
          throw error;
        }
      },
    );
  });
}
