/** Shapes of the core identity routes (reference/openapi polyproto.core-v1.0-beta.3, PROFILE §1, §3). */
import { type Static, Type } from "typebox";

export const UnixSeconds = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const CacheableIdCert = Type.Object(
  {
    idCertPem: Type.String(),
    cacheNotValidBefore: UnixSeconds,
    cacheNotValidAfter: UnixSeconds,
    cacheSignature: Type.String({ description: "home server's Ed25519 signature, lowercase hex" }),
    invalidatedAt: Type.Optional(UnixSeconds),
  },
  { $id: "CacheableIDCert", description: "PROFILE §1" },
);
export type CacheableIdCert = Static<typeof CacheableIdCert>;

export const WellKnown = Type.Object({ api: Type.String({ description: "base URL of the core API" }) });

export const ServerCertQuery = Type.Object(
  { timestamp: Type.Optional(UnixSeconds) },
  { additionalProperties: false },
);

export const ActorCertParams = Type.Object({ fid: Type.String({ maxLength: 320 }) });
export const ActorCertQuery = Type.Object(
  {
    notBefore: Type.Optional(UnixSeconds),
    notAfter: Type.Optional(UnixSeconds),
    session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
);

export const NewIdCertResponse = Type.Object({
  id_cert: Type.String({ description: "the new ID-Cert, PEM" }),
  token: Type.String({ description: "the new session's token" }),
});

export const SessionQuery = Type.Object(
  { session_id: Type.String({ minLength: 1, maxLength: 32 }) },
  { additionalProperties: false },
);
