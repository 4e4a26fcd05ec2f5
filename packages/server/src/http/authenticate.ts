/**
 * The authentication edge: `Authorization: Bearer <token>` → the caller's session, and the
 * `X-P2-Sensitive-Solution` check of sensitive actions [core §4.1.2, PROFILE §3]. Routes declare
 * what they need with these pre-handlers; services receive the session, never the request.
 */
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Session, SessionService } from "../features/sessions/service.js";
import { P2Error } from "./errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `requireSession`; routes with that pre-handler read it through `sessionOf`. */
    p2Session?: Session;
  }
}

export const SENSITIVE_HEADER = "x-p2-sensitive-solution";

/** The OpenAPI security entry of routes that take a bearer token. */
export const bearerSecurity = [{ BearerAuth: [] }];

/** The header schema of sensitive routes (the solution is checked by `requireSensitive`). */
export const SensitiveHeaders = Type.Object({
  [SENSITIVE_HEADER]: Type.Optional(Type.String({ description: "the account password (or TOTP code)" })),
});

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export interface SessionRequirement {
  /** Only sessions of this server's own actors (not foreign actors' key-trial sessions). */
  readonly localOnly?: boolean;
}

/** A pre-handler that refuses the request with 401 unless it carries a live token. */
export function requireSession(sessions: SessionService, requirement: SessionRequirement = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (token === undefined) {
      throw new P2Error(401, "P2CORE_UNAUTHORIZED", "a bearer token is required (Authorization: Bearer …)");
    }
    const session = await sessions.resolve(token);
    if (!session) throw new P2Error(401, "P2CORE_UNAUTHORIZED", "the token is unknown, expired or revoked");
    if (requirement.localOnly && session.foreign) {
      throw new P2Error(403, "P2CORE_LOCAL_ACTORS_ONLY", "only actors of this home server may do this");
    }
    request.p2Session = session;
  };
}

/** The session `requireSession` found (throws if a route forgot the pre-handler). */
export function sessionOf(request: FastifyRequest): Session {
  if (!request.p2Session) throw new Error("route has no requireSession pre-handler");
  return request.p2Session;
}

/** Checks a sensitive action's solution for an actor; implemented by the accounts service. */
export interface SensitiveSolutionChecker {
  checkSensitiveSolution(fid: string, solution: string | undefined): Promise<void>;
}

/** A pre-handler (after `requireSession`) that demands a correct `X-P2-Sensitive-Solution`. */
export function requireSensitive(checker: SensitiveSolutionChecker) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers[SENSITIVE_HEADER];
    await checker.checkSensitiveSolution(sessionOf(request).fid, typeof header === "string" ? header : undefined);
  };
}
