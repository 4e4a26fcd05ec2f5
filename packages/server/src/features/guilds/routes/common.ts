/** What every route of the guild side shares: the base path, OpenAPI tags and the error answers. */
import { ErrorBody } from "../../../http/errors.js";

/** PROFILE §4: the chat API's base path. */
export const CHAT = "/.p2/chat/v1";

export const tags = ["Chat"];

/** Answers every guild route may give besides its success: bad input, no token, 403, 404, 429. */
export const failures = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
} as const;
