/**
 * Sessions on foreign servers [core §4.1.1, §4.2, PROFILE §3, docs/protocol.md §6]: challenges, key
 * trials, telling a server about a changed cert, and the public record of completed trials. The
 * automatic key trial of `P2Client` (`session/tokens.ts`) is built from these.
 */
import { type ApiCaller, jsonOf } from "../http/api.js";

export interface Challenge {
  /** Sign its UTF-8 bytes with the session key. */
  readonly challenge: string;
  /** UNIX seconds after which it is no longer accepted. */
  readonly expires: number;
}

export interface KeyTrialSolution {
  readonly idCertPem: string;
  readonly challenge: string;
  /** Ed25519 over the UTF-8 challenge, lowercase hex. */
  readonly signature: string;
}

export interface CompletedKeyTrial {
  readonly keyTrial: { readonly trial: string; readonly expires: number };
  readonly keyTrialCompletion: readonly { readonly signature: string; readonly serialNumber: string }[];
}

export interface KeyTrialQuery {
  readonly limit?: number;
  /** One trial, by its challenge. */
  readonly id?: string;
  /** UNIX seconds, bounds on the completion time (inclusive). */
  readonly notBefore?: number;
  readonly notAfter?: number;
}

export class ForeignApi {
  constructor(private readonly caller: ApiCaller) {}

  /** `GET /challenge` on `domain`. */
  async challenge(domain: string): Promise<Challenge> {
    const answer = await this.caller.call(domain, { method: "GET", path: "v1/challenge", auth: false });
    return jsonOf(answer, domain, "challenge");
  }

  /** `POST /session/auth` on `domain`: a solved key trial for a token there. */
  async sessionAuth(domain: string, solution: KeyTrialSolution): Promise<{ token: string }> {
    const answer = await this.caller.call(domain, {
      method: "POST",
      path: "v1/session/auth",
      json: solution,
      auth: false,
    });
    return jsonOf(answer, domain, "session/auth");
  }

  /** `PUT /session/idcert/extern` on `domain`: one of the caller's certs changed or was revoked. */
  async announceCert(domain: string, idCertPem: string): Promise<void> {
    await this.caller.call(domain, { method: "PUT", path: "v1/session/idcert/extern", text: idCertPem });
  }

  /** `GET /keytrial/{fid}` on `domain`: the key trials that actor completed there; none: `[]`. */
  async keyTrials(domain: string, fid: string, query: KeyTrialQuery = {}): Promise<CompletedKeyTrial[]> {
    const answer = await this.caller.call(domain, {
      method: "GET",
      path: `v1/keytrial/${encodeURIComponent(fid)}`,
      query: { ...query },
      auth: false,
    });
    return answer.status === 204 ? [] : jsonOf(answer, domain, "keytrial");
  }
}
