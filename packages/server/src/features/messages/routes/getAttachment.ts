/**
 * GET /.p2/chat/v1/attachments/{id} → 200 with the bytes, to the uploader and to whoever may read
 * the history of the channel whose message references it; 404 to everyone else.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody, P2Error } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { AttachmentService } from "../attachments.js";
import { AttachmentParams } from "../schemas.js";

/** Shown in place (images, audio, video) or offered as a download (everything else). */
const INLINE = /^(image|audio|video)\//;

export function getAttachment(
  app: FeatureApp,
  attachments: AttachmentService,
  sessions: SessionService,
): void {
  app.get(
    "/.p2/chat/v1/attachments/:id",
    {
      schema: {
        tags: ["Chat"],
        summary: "Download an attachment",
        security: bearerSecurity,
        params: AttachmentParams,
        response: {
          200: Type.Unsafe<unknown>({
            type: "string",
            format: "binary",
            description: "the bytes, with their Content-Type",
          }),
          401: ErrorBody,
          404: ErrorBody,
        },
      },
      preHandler: requireSession(sessions),
    },
    async (request, reply) => {
      const { record, path } = await attachments.open(sessionOf(request), request.params.id);
      const file = await stat(path).catch(() => undefined);
      if (!file) throw new P2Error(404, "P2CHAT_NOT_FOUND", "unknown attachment");
      const disposition = INLINE.test(record.contentType) ? "inline" : "attachment";
      const name =
        record.filename === null ? "" : `; filename*=UTF-8''${encodeURIComponent(record.filename)}`;
      return reply
        .header("content-type", record.contentType)
        .header("content-length", file.size)
        .header("content-disposition", `${disposition}${name}`)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, max-age=86400")
        .send(createReadStream(path));
    },
  );
}
