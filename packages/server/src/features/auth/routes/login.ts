/** POST /.p2/auth/v1/login {localName, password, csr} → 201 {idCertPem, token} (PROFILE §3). */
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { LoginBody, LoginResponse } from "../schemas.js";
import type { AccountService } from "../service.js";

export function login(app: FeatureApp, accounts: AccountService): void {
  app.post(
    "/.p2/auth/v1/login",
    {
      schema: {
        tags: ["Auth"],
        summary: "Log in with a password and an ID-CSR; receive the session's ID-Cert and token",
        body: LoginBody,
        response: { 201: LoginResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { idCertPem, token } = await accounts.login(request.body);
      return reply.code(201).send({ idCertPem, token });
    },
  );
}
