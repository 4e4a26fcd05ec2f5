/**
 * One token per server for the session (PROFILE §3). The home server's comes from login; any other
 * server's from a key trial [core §4.1.1]: `GET /challenge`, sign its UTF-8 bytes with the session
 * key, `POST /session/auth {idCertPem, challenge, signature}` → `{token}`. A dead token (401) is
 * replaced by a new key trial — on the home server too, which grants its own actors a local session
 * through the same route (docs/protocol.md §6). Tokens are kept in the store, so a resumed client
 * reuses them; concurrent requests for the same server share one key trial.
 */
import { signKeyTrial } from "@p2chat/polyproto";
import { ForeignApi } from "../api/foreign.js";
import type { ServerApi } from "../http/api.js";
import type { ClientStore } from "../store/store.js";
import type { SessionIdentity } from "./identity.js";

export class SessionTokens {
  private readonly memory = new Map<string, string>();
  private readonly trials = new Map<string, Promise<string>>();
  private readonly foreign: ForeignApi;

  constructor(
    api: ServerApi,
    private readonly store: ClientStore,
    private readonly identity: () => SessionIdentity,
  ) {
    this.foreign = new ForeignApi(api);
  }

  /** The session's token on `domain`: remembered, stored, or from a new key trial. */
  async tokenFor(domain: string): Promise<string> {
    const remembered = this.memory.get(domain);
    if (remembered !== undefined) return remembered;
    const pending = this.trials.get(domain);
    if (pending) return pending;
    const { fid, sessionId } = this.identity();
    const stored = await this.store.loadToken(fid, sessionId, domain);
    if (stored !== undefined) {
      this.memory.set(domain, stored);
      return stored;
    }
    return this.authenticateOn(domain);
  }

  /** A key trial on `domain` now (whatever token there is): resolves with the new token, stored. */
  authenticateOn(domain: string): Promise<string> {
    let pending = this.trials.get(domain);
    if (!pending) {
      pending = this.keyTrial(domain).finally(() => this.trials.delete(domain));
      this.trials.set(domain, pending);
    }
    return pending;
  }

  /** Remembers a token obtained otherwise (login, a new session cert). */
  async set(domain: string, token: string): Promise<void> {
    const { fid, sessionId } = this.identity();
    this.memory.set(domain, token);
    await this.store.saveToken(fid, sessionId, domain, token);
  }

  /** Forgets `token` on `domain` (a 401 said it is dead) — unless it was replaced meanwhile. */
  async forget(domain: string, token: string): Promise<void> {
    if (this.memory.get(domain) !== token) return;
    const { fid, sessionId } = this.identity();
    this.memory.delete(domain);
    if ((await this.store.loadToken(fid, sessionId, domain)) === token)
      await this.store.deleteToken(fid, sessionId, domain);
  }

  private async keyTrial(domain: string): Promise<string> {
    const identity = this.identity();
    const { challenge } = await this.foreign.challenge(domain);
    const signature = await signKeyTrial(identity.signingKey, challenge);
    const { token } = await this.foreign.sessionAuth(domain, {
      idCertPem: identity.idCert.pem,
      challenge,
      signature,
    });
    await this.set(domain, token);
    return token;
  }
}
