/**
 * Registration invites, for servers in `invite` mode (administrators only):
 * POST /.p2/auth/v1/invites {maxUses?, maxAge?} → 201 Invite · GET /.p2/auth/v1/invites → Invite[] ·
 * DELETE /.p2/auth/v1/invites/{code} → 204.
 */
import { Type } from "typebox";
import { bearerSecurity, requireSession, sessionOf } from "../../../http/authenticate.js";
import { ErrorBody } from "../../../http/errors.js";
import type { RegistrationInvite } from "../../../storage/registrationInviteStore.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import { Invite, InviteBody, InviteParams } from "../schemas.js";
import type { AccountService } from "../service.js";

const wire = (invite: RegistrationInvite) => ({
  code: invite.code,
  createdBy: invite.createdByFid,
  usesLeft: invite.usesLeft,
  expiresAt: invite.expiresAt,
  createdAt: invite.createdAt,
});

export function invites(app: FeatureApp, accounts: AccountService, sessions: SessionService): void {
  const preHandler = requireSession(sessions, { localOnly: true });
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
  app.post(
    "/.p2/auth/v1/invites",
    {
      schema: {
        tags: ["Auth"],
        summary: "Create a registration invite",
        security: bearerSecurity,
        body: InviteBody,
        response: { 201: Invite, ...errors },
      },
      preHandler,
    },
    async (request, reply) => {
      const { maxUses, maxAge } = request.body;
      const invite = await accounts.createInvite(sessionOf(request).fid, { maxUses, maxAgeSeconds: maxAge });
      return reply.code(201).send(wire(invite));
    },
  );
  app.get(
    "/.p2/auth/v1/invites",
    {
      schema: {
        tags: ["Auth"],
        summary: "List registration invites",
        security: bearerSecurity,
        response: { 200: Type.Array(Invite), ...errors },
      },
      preHandler,
    },
    async (request) => (await accounts.listInvites(sessionOf(request).fid)).map(wire),
  );
  app.delete(
    "/.p2/auth/v1/invites/:code",
    {
      schema: {
        tags: ["Auth"],
        summary: "Delete a registration invite",
        security: bearerSecurity,
        params: InviteParams,
        response: { 204: Type.Null({ description: "deleted" }), 404: ErrorBody, ...errors },
      },
      preHandler,
    },
    async (request, reply) => {
      await accounts.deleteInvite(sessionOf(request).fid, request.params.code);
      return reply.code(204).send(null);
    },
  );
}
