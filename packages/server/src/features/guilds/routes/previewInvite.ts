/** GET /invites/{code} → 200 InvitePreview (PROFILE §7.1). */
import { bearerSecurity, requireSession } from "../../../http/authenticate.js";
import type { FeatureApp } from "../../context.js";
import type { SessionService } from "../../sessions/service.js";
import type { InviteService } from "../invites.js";
import { InviteParams, InvitePreview } from "../schemas.js";
import { CHAT, failures, tags } from "./common.js";

export function previewInvite(app: FeatureApp, invites: InviteService, sessions: SessionService): void {
  app.get(
    `${CHAT}/invites/:code`,
    {
      schema: {
        tags,
        summary: "What an invite leads to (anyone holding the code)",
        security: bearerSecurity,
        params: InviteParams,
        response: { 200: InvitePreview, ...failures },
      },
      preHandler: [requireSession(sessions)],
    },
    async (request) => invites.preview(request.params.code),
  );
}
