/**
 * The core identity routes [core §6, PROFILE §3, docs/protocol.md §4a]: root and actor certs, new
 * session certs, revoking sessions, rotating the server key. Sensitive actions take the account
 * password as `X-P2-Sensitive-Solution` [core §4.1.2]; it is never stored.
 */
import type { CacheableIdCert } from "@p2chat/polyproto";
import { type ApiCaller, jsonOf } from "../http/api.js";

export interface ActorCertQuery {
  /** Which server to ask; the actor's home server by default (core §6.4: or the conversation's). */
  readonly server?: string;
  /** UNIX seconds: certs valid at or after. */
  readonly notBefore?: number;
  /** UNIX seconds: certs valid at or before. */
  readonly notAfter?: number;
  readonly sessionId?: string;
}

export interface NewSessionCert {
  readonly idCertPem: string;
  /** The new session's token on the home server. */
  readonly token: string;
}

export class IdentityApi {
  constructor(
    private readonly caller: ApiCaller,
    private readonly home: string,
    private readonly fid: string,
  ) {}

  /** `GET /idcert/server`: a server's root as a CacheableIDCert (unchecked; `verify/` checks). */
  async serverCert(domain: string = this.home, timestamp?: number): Promise<CacheableIdCert> {
    const answer = await this.caller.call(domain, {
      method: "GET",
      path: "v1/idcert/server",
      query: { timestamp },
      auth: false,
    });
    return jsonOf(answer, domain, "idcert/server");
  }

  /** `GET /idcert/actor/{fid}`: an actor's certs, revoked ones with `invalidatedAt` (unchecked). */
  async actorCerts(fid: string, query: ActorCertQuery = {}): Promise<CacheableIdCert[]> {
    const server = query.server ?? fid.slice(fid.lastIndexOf("@") + 1);
    const answer = await this.caller.call(server, {
      method: "GET",
      path: `v1/idcert/actor/${encodeURIComponent(fid)}`,
      query: { notBefore: query.notBefore, notAfter: query.notAfter, session_id: query.sessionId },
      auth: false,
    });
    return jsonOf(answer, server, "idcert/actor");
  }

  /** The caller's own certs, every session, as the home server lists them. */
  ownCerts(query: Omit<ActorCertQuery, "server"> = {}): Promise<CacheableIdCert[]> {
    return this.actorCerts(this.fid, { ...query, server: this.home });
  }

  /** `POST /idcert` (sensitive): a cert for a new session from its ID-CSR (PEM), and its token. */
  async newIdCert(csrPem: string, password: string): Promise<NewSessionCert> {
    const answer = await this.caller.call(this.home, {
      method: "POST",
      path: "v1/idcert",
      text: csrPem,
      sensitive: password,
    });
    const body = jsonOf<{ id_cert: string; token: string }>(answer, this.home, "new idcert");
    return { idCertPem: body.id_cert, token: body.token };
  }

  /** `DELETE /session?session_id` (sensitive): revokes a session's cert; its tokens die. */
  async revokeSession(sessionId: string, password: string): Promise<void> {
    await this.caller.call(this.home, {
      method: "DELETE",
      path: "v1/session",
      query: { session_id: sessionId },
      sensitive: password,
    });
  }

  /** `POST /key/server` (sensitive, administrators): a new root key; resolves with the new root PEM. */
  async rotateServerKey(password: string): Promise<string> {
    const answer = await this.caller.call(this.home, {
      method: "POST",
      path: "v1/key/server",
      sensitive: password,
    });
    return answer.text;
  }
}
