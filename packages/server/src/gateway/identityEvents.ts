/** The gateway's side of identity changes: ops 3, 4 and 6 and ending revoked sessions (PROFILE §5). */
import { CoreOp } from "@p2chat/polyproto";
import type { IdentityEvents } from "../features/core/service.js";
import type { GatewayHub } from "./hub.js";

export function gatewayIdentityEvents(gateway: GatewayHub): IdentityEvents {
  return {
    newSession: (fid, sessionId, certPem) =>
      gateway.publish(`actor:${fid}`, "core", CoreOp.NewSession, { cert: certPem }, { fid, sessionId }),
    certInvalidated: async (fid, certSerial, cacheable) => {
      await gateway.control(`actor:${fid}`, { kind: "end-session", fid, certSerial });
      await gateway.publish("server", "core", CoreOp.ActorCertificateInvalidation, cacheable);
    },
    serverCertChanged: (certPem, oldInvalidSince) =>
      gateway.publish("server", "core", CoreOp.ServerCertificateChange, { cert: certPem, oldInvalidSince }),
  };
}
