/**
 * Home-server root certs, asked of the home server itself [core §6.4.1: "an action that can only be
 * performed by asking the home server in question directly"]: `GET <core>v1/idcert/server`, a
 * CacheableIDCert whose cert is a valid self-signed root of exactly that domain (its DCs), whose
 * cacheSignature verifies with the root's own key, and whose window is current. Cached (memory and
 * store) while the window is usable. Roots of earlier times — for certs issued before a rotation,
 * core §6.1.3 — come from `?timestamp=` and are checked with the *current* root's key.
 */
import {
  type CacheableIdCert,
  parseIdCert,
  type RootIdCert,
  validateRootCert,
  verifyCacheableIdCert,
} from "@p2chat/polyproto";
import { clientError, P2ClientError } from "../errors.js";
import { jsonOf, type ServerApi } from "../http/api.js";
import type { ClientStore, StoredServerRoot } from "../store/store.js";
import { isWindowUsable, normalisedCacheable } from "./window.js";

export interface VerifiedRoot {
  readonly domain: string;
  readonly root: RootIdCert;
  readonly cacheable: CacheableIdCert;
  readonly fetchedAt: number;
}

function invalid(domain: string, why: string, cause?: unknown): P2ClientError {
  return clientError("P2CLIENT_INVALID_RESPONSE", `root cert of ${domain}: ${why}`, { cause, domain });
}

export class RootCerts {
  private readonly memory = new Map<string, VerifiedRoot>();
  private readonly pending = new Map<string, Promise<VerifiedRoot>>();

  constructor(
    private readonly api: ServerApi,
    private readonly store: ClientStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current root of `domain`'s home server: cached while usable, else fetched and checked. */
  async current(domain: string): Promise<VerifiedRoot> {
    const now = this.now();
    const cached = this.memory.get(domain);
    if (cached && isWindowUsable(cached.cacheable, cached.fetchedAt, now)) return cached;
    let pending = this.pending.get(domain);
    if (!pending) {
      pending = this.load(domain).finally(() => this.pending.delete(domain));
      this.pending.set(domain, pending);
    }
    return pending;
  }

  /**
   * The root `domain` had at `atMs`, for a cert issued before a rotation; undefined when the home
   * server says it had none (404). Checked with the current root's key; not cached.
   */
  async at(domain: string, atMs: number): Promise<RootIdCert | undefined> {
    const current = await this.current(domain);
    const timestamp = Math.floor(atMs / 1000);
    let body: unknown;
    try {
      const answer = await this.api.send(domain, {
        method: "GET",
        path: "v1/idcert/server",
        query: { timestamp },
        auth: false,
      });
      body = jsonOf(answer, domain, "GET idcert/server?timestamp");
    } catch (error) {
      if (error instanceof P2ClientError && error.status === 404) return undefined;
      throw error;
    }
    return (await this.check(domain, body, current.root, new Date(atMs))).root;
  }

  /** Forgets a domain's root (op 6: the server's cert changed). */
  async forget(domain: string): Promise<void> {
    this.memory.delete(domain);
    await this.store.deleteServerRoot(domain);
  }

  private async load(domain: string): Promise<VerifiedRoot> {
    const stored = await this.store.loadServerRoot(domain);
    if (stored && isWindowUsable(stored.cacheable, stored.fetchedAt, this.now())) {
      try {
        const entry = await this.check(domain, stored.cacheable, undefined, undefined, stored.fetchedAt);
        this.memory.set(domain, entry);
        return entry;
      } catch {
        // a stored entry that no longer checks out is a miss
      }
    }
    const fetchedAt = this.now();
    const answer = await this.api.send(domain, { method: "GET", path: "v1/idcert/server", auth: false });
    const entry = await this.check(
      domain,
      jsonOf(answer, domain, "GET idcert/server"),
      undefined,
      undefined,
      fetchedAt,
    );
    if (!isWindowUsable(entry.cacheable, fetchedAt, this.now()))
      throw invalid(domain, "its cache window is not current");
    this.memory.set(domain, entry);
    const record: StoredServerRoot = { domain, cacheable: entry.cacheable, fetchedAt };
    await this.store.saveServerRoot(record);
    return entry;
  }

  /** Checks a CacheableIDCert of a root: `signer` is the key's root (its own when undefined). */
  private async check(
    domain: string,
    body: unknown,
    signer: RootIdCert | undefined,
    at?: Date,
    fetchedAt = this.now(),
  ): Promise<VerifiedRoot> {
    const raw = body as CacheableIdCert | null;
    if (typeof raw !== "object" || raw === null || typeof raw.idCertPem !== "string") {
      throw invalid(domain, "the answer is not a CacheableIDCert");
    }
    try {
      const cacheable = normalisedCacheable(raw);
      const root = await validateRootCert(await parseIdCert(cacheable.idCertPem), {
        domain,
        at: at ?? new Date(this.now()),
      });
      await verifyCacheableIdCert(cacheable, (signer ?? root).publicKey);
      return { domain, root, cacheable, fetchedAt };
    } catch (error) {
      throw invalid(domain, error instanceof Error ? error.message : String(error), error);
    }
  }
}
