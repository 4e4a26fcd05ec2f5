/**
 * The `ApiCaller` the typed API modules use inside a `P2Client`: routes that need a token get the
 * session's token for that server (a key trial on first use of a foreign server); a `401
 * P2CORE_UNAUTHORIZED` — the token expired, was replaced or revoked — is answered by one new key
 * trial and one retry. Other 401s (a missing sensitive solution, a revoked cert in the key trial
 * itself) are the caller's to see.
 */
import { parseDomain } from "@p2chat/polyproto";
import { P2ClientError } from "../errors.js";
import type { ApiAnswer, ApiCaller, ApiRequest, ServerApi } from "../http/api.js";
import type { SessionTokens } from "./tokens.js";

export class AuthenticatedApi implements ApiCaller {
  constructor(
    private readonly api: ServerApi,
    private readonly tokens: SessionTokens,
  ) {}

  async call(domainInput: string, request: ApiRequest): Promise<ApiAnswer> {
    let domain: string;
    try {
      domain = parseDomain(domainInput);
    } catch (error) {
      throw P2ClientError.from(error);
    }
    if (request.auth === false) return this.api.send(domain, request);
    const token = await this.tokens.tokenFor(domain);
    try {
      return await this.api.send(domain, request, token);
    } catch (error) {
      if (!(error instanceof P2ClientError) || error.status !== 401 || error.code !== "P2CORE_UNAUTHORIZED")
        throw error;
      await this.tokens.forget(domain, token);
      return this.api.send(domain, request, await this.tokens.authenticateOn(domain));
    }
  }
}
