/**
 * Shapes of foreign-server authentication [core §4.1.1, §4.2, PROFILE §3] and of the published key
 * trials (reference/openapi polyproto.core-v1.0-beta.3: `Models.KeyTrial`, `Models.KeyTrialCompleted`).
 */
import { type Static, Type } from "typebox";
import { CHALLENGE_MAX_LENGTH, CHALLENGE_MIN_LENGTH } from "@p2chat/polyproto";

const UnixSeconds = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const KeyTrial = Type.Object(
  {
    challenge: Type.String({ description: "64 characters of [A-Za-z0-9]; sign its UTF-8 bytes" }),
    expires: Type.Integer({ description: "UNIX seconds after which the challenge can no longer be used" }),
  },
  { description: "A key-trial challenge: single-use, valid for 5 minutes" },
);

export const SessionAuthBody = Type.Object({
  idCertPem: Type.String({
    minLength: 1,
    maxLength: 16384,
    description: "the ID-Cert to authenticate with, PEM",
  }),
  challenge: Type.String({
    minLength: CHALLENGE_MIN_LENGTH,
    maxLength: CHALLENGE_MAX_LENGTH,
    description: "a challenge from GET /.p2/core/v1/challenge of this server",
  }),
  signature: Type.String({
    minLength: 1,
    maxLength: 256,
    description: "Ed25519 signature over the UTF-8 challenge by the cert's key, lowercase hex",
  }),
});
export type SessionAuthBody = Static<typeof SessionAuthBody>;

export const SessionAuthResponse = Type.Object({
  token: Type.String({ description: "the session token on this server (dies with the cert)" }),
});

export const ExternIdCertBody = Type.String({
  minLength: 1,
  maxLength: 16384,
  description: "a changed or revoked ID-Cert of the caller, PEM (text/plain)",
});

export const KeyTrialParams = Type.Object({ fid: Type.String({ maxLength: 320 }) });

export const KeyTrialQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: "0 or absent: no limit" })),
    id: Type.Optional(
      Type.String({ maxLength: CHALLENGE_MAX_LENGTH, description: "one trial, by its challenge" }),
    ),
    notBefore: Type.Optional(UnixSeconds),
    notAfter: Type.Optional(UnixSeconds),
  },
  { additionalProperties: false },
);
export type KeyTrialQuery = Static<typeof KeyTrialQuery>;

export const CompletedKeyTrial = Type.Object({
  keyTrial: Type.Object({
    trial: Type.String({ description: "the challenge string that was signed" }),
    expires: UnixSeconds,
  }),
  keyTrialCompletion: Type.Array(
    Type.Object({
      signature: Type.String({ description: "lowercase hex" }),
      serialNumber: Type.String({ description: "the signing ID-Cert's serial, decimal (it exceeds 2^53)" }),
    }),
    { minItems: 1 },
  ),
});
export type CompletedKeyTrial = Static<typeof CompletedKeyTrial>;
