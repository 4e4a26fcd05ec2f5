/**
 * The server's one error type and its mapping to HTTP at the edge (PROFILE §4): every failure leaves
 * as `{"errcode": <status>, "error": "P2CORE_…", "message": "…"}`, whatever raised it.
 */
import { PolyprotoError } from "@p2chat/polyproto";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";

/** Machine codes: `P2CORE_…` for the core protocol, `P2CHAT_…` and `P2MLS_…` for the extensions. */
export type P2ErrorCode = `P2${"CORE" | "CHAT" | "MLS"}_${string}`;

/**
 * An error a feature raises on purpose: an HTTP status, a machine code and a message for humans.
 * Services throw it without knowing about Fastify; the handler below turns it into the response.
 */
export class P2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: P2ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "P2Error";
  }
}

/** The error body of PROFILE §4, for route schemas and the OpenAPI document. */
export const ErrorBody = Type.Object(
  {
    errcode: Type.Integer({ description: "the HTTP status" }),
    error: Type.String({ description: "machine code: P2CORE_…, P2CHAT_… or P2MLS_…" }),
    message: Type.String({ description: "for humans" }),
  },
  { description: "Every error response (PROFILE §4)" },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Codes for errors Fastify raises itself, by status. */
const CODE_FOR_STATUS: Record<number, P2ErrorCode> = {
  400: "P2CORE_INVALID_REQUEST",
  404: "P2CORE_NOT_FOUND",
  405: "P2CORE_METHOD_NOT_ALLOWED",
  406: "P2CORE_NOT_ACCEPTABLE",
  408: "P2CORE_REQUEST_TIMEOUT",
  413: "P2CORE_PAYLOAD_TOO_LARGE",
  414: "P2CORE_URI_TOO_LONG",
  415: "P2CORE_UNSUPPORTED_MEDIA_TYPE",
  429: "P2CORE_RATE_LIMITED",
  431: "P2CORE_HEADERS_TOO_LARGE",
};

/** Fastify's own messages for these are fine for clients, but some deserve a clearer wording. */
const MESSAGE_FOR_FASTIFY_CODE: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "request body is not valid JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "request body is empty but declared as JSON",
  FST_ERR_CTP_BODY_TOO_LARGE: "request body is larger than this server accepts",
};

function body(status: number, code: string, message: string): ErrorBody {
  return { errcode: status, error: code, message };
}

/** Maps any thrown value to the status and body sent to the client. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof P2Error) return body(error.status, error.code, error.message);
  if (error instanceof PolyprotoError) return body(400, error.code, error.message);
  const fastifyError = error as Partial<FastifyError> | null;
  if (fastifyError && Array.isArray(fastifyError.validation)) {
    // Fastify's message names the part and the field: "body/count must be integer".
    return body(400, "P2CORE_INVALID_REQUEST", fastifyError.message ?? "invalid request");
  }
  const status = fastifyError?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const message =
      MESSAGE_FOR_FASTIFY_CODE[fastifyError?.code ?? ""] ?? fastifyError?.message ?? "bad request";
    return body(status, CODE_FOR_STATUS[status] ?? "P2CORE_INVALID_REQUEST", message);
  }
  return body(500, "P2CORE_INTERNAL", "internal server error");
}

/** Fastify error handler: sends the profile's body; logs what is the server's fault. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = toErrorBody(error);
  if (response.errcode >= 500) request.log.error({ err: error }, "request failed");
  return reply.code(response.errcode).type("application/json; charset=utf-8").send(response);
}

/** Fastify not-found handler: unknown routes answer 404 P2CORE_NOT_FOUND. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .send(body(404, "P2CORE_NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`));
}
