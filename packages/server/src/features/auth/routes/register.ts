/** POST /.p2/auth/v1/register {localName, password, invite?} → 201 {fid} (PROFILE §3). */
import { ErrorBody } from "../../../http/errors.js";
import type { FeatureApp } from "../../context.js";
import { RegisterBody, RegisterResponse } from "../schemas.js";
import type { AccountService } from "../service.js";

export function register(app: FeatureApp, accounts: AccountService): void {
  app.post(
    "/.p2/auth/v1/register",
    {
      schema: {
        tags: ["Auth"],
        summary: "Create an account on this home server",
        body: RegisterBody,
        response: { 201: RegisterResponse, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => reply.code(201).send(await accounts.register(request.body)),
  );
}
