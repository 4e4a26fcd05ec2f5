/** Shapes of polyproto-auth (PROFILE §3). */
import { type Static, Type } from "typebox";

export const Password = Type.String({ minLength: 8, maxLength: 1024 });
export const LocalName = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "the local part of the FID",
});

export const RegisterBody = Type.Object(
  {
    localName: LocalName,
    password: Password,
    invite: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: "registration invite code" }),
    ),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const RegisterResponse = Type.Object({ fid: Type.String() });

export const LoginBody = Type.Object(
  {
    localName: LocalName,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    csr: Type.String({ minLength: 1, maxLength: 16384, description: "ID-CSR, PEM" }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = Type.Object({
  idCertPem: Type.String({ description: "the session's ID-Cert, PEM" }),
  token: Type.String({ description: "the session token" }),
});

export const InviteBody = Type.Object(
  {
    maxUses: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000, description: "0 or absent: unlimited" }),
    ),
    maxAge: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 365 * 86400, description: "seconds; 0 or absent: never expires" }),
    ),
  },
  { additionalProperties: false },
);

export const Invite = Type.Object({
  code: Type.String(),
  createdBy: Type.String(),
  usesLeft: Type.Union([Type.Integer(), Type.Null()]),
  expiresAt: Type.Union([Type.Integer({ description: "UNIX ms" }), Type.Null()]),
  createdAt: Type.Integer({ description: "UNIX ms" }),
});

export const InviteParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) });
