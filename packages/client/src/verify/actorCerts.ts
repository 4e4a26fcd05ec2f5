/**
 * Actors' certs for verification [core §6.4]: `GET <core>v1/idcert/actor/{fid}?session_id=` on the
 * server where the conversation happens, or on the actor's home server. Whoever answers, every
 * CacheableIDCert must carry the home server's cacheSignature (checked with the home root's key, so a
 * relaying server can neither stretch the window nor hide a revocation), be a cert of that FID, and
 * have a usable window. Good entries are cached by (home domain, serial) in memory and in the store;
 * an entry whose window has passed is never used again (PROFILE §1).
 */
import {
  type CacheableIdCert,
  type IdCert,
  parseIdCert,
  type PublicKey,
  verifyCacheableIdCert,
} from "@p2chat/polyproto";
import { clientError, P2ClientError } from "../errors.js";
import { jsonOf, type ServerApi } from "../http/api.js";
import type { ClientStore } from "../store/store.js";
import { isWindowUsable, normalisedCacheable } from "./window.js";

/** A cert the home server vouches for (cacheSignature checked), with its revocation time if any. */
export interface VouchedActorCert {
  readonly fid: string;
  readonly serial: string;
  readonly idCert: IdCert;
  readonly cacheable: CacheableIdCert;
  /** UNIX seconds, when the home server revoked it. */
  readonly invalidatedAt: number | undefined;
  readonly fetchedAt: number;
}

/** Most actor certs kept in memory (least recently used go first). */
const MEMORY_LIMIT = 10_000;

export class ActorCerts {
  private readonly memory = new Map<string, VouchedActorCert>();

  constructor(
    private readonly api: ServerApi,
    private readonly store: ClientStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A cached cert by home domain and serial, if its window is still usable. */
  async cached(domain: string, serial: string, homeKey: PublicKey): Promise<VouchedActorCert | undefined> {
    const key = `${domain} ${serial}`;
    const now = this.now();
    const inMemory = this.memory.get(key);
    if (inMemory) {
      this.memory.delete(key);
      if (isWindowUsable(inMemory.cacheable, inMemory.fetchedAt, now)) {
        this.memory.set(key, inMemory); // most recently used last
        return inMemory;
      }
    }
    const stored = await this.store.loadActorCert(domain, serial);
    if (!stored) return undefined;
    if (!isWindowUsable(stored.cacheable, stored.fetchedAt, now)) {
      await this.store.deleteActorCert(domain, serial);
      return undefined;
    }
    try {
      // The home key may have changed since: a stored entry is checked again when read.
      const entry = await this.vouched(stored.fid, stored.cacheable, homeKey, stored.fetchedAt);
      this.remember(entry);
      return entry;
    } catch {
      await this.store.deleteActorCert(domain, serial);
      return undefined;
    }
  }

  /**
   * Asks `server` for `fid`'s certs (of one session when given). Resolves with the vouched ones
   * (each cached), or undefined when the server does not know the actor (404: a server may answer
   * that for actors that are not its own). Throws when the server cannot be reached or answers
   * something that does not check out.
   */
  async fetch(
    server: string,
    fid: string,
    homeKey: PublicKey,
    sessionId?: string,
  ): Promise<VouchedActorCert[] | undefined> {
    const fetchedAt = this.now();
    let listed: unknown;
    try {
      const answer = await this.api.send(server, {
        method: "GET",
        path: `v1/idcert/actor/${encodeURIComponent(fid)}`,
        query: { session_id: sessionId },
        auth: false,
      });
      listed = jsonOf(answer, server, "GET idcert/actor");
    } catch (error) {
      if (error instanceof P2ClientError && error.status === 404) return undefined;
      throw error;
    }
    if (!Array.isArray(listed)) {
      throw clientError(
        "P2CLIENT_INVALID_RESPONSE",
        `${server} answered ${fid}'s certs with something that is not a list`,
        {
          domain: server,
        },
      );
    }
    const entries: VouchedActorCert[] = [];
    for (const raw of listed) {
      let entry: VouchedActorCert;
      try {
        entry = await this.vouched(fid, raw as CacheableIdCert, homeKey, fetchedAt);
      } catch (error) {
        throw clientError(
          "P2CLIENT_INVALID_RESPONSE",
          `${server} listed a cert of ${fid} that does not check out: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error, domain: server },
        );
      }
      if (!isWindowUsable(entry.cacheable, fetchedAt, this.now())) continue; // stale: never used
      entries.push(entry);
      this.remember(entry);
      await this.store.saveActorCert({ fid, serial: entry.serial, cacheable: entry.cacheable, fetchedAt });
    }
    return entries;
  }

  /**
   * Records a revocation the gateway announced (op 4), once its cacheSignature checks out with the
   * home key: the cached entry is replaced, so later verifications see `invalidatedAt`.
   */
  async invalidated(cacheable: CacheableIdCert, homeKey: PublicKey): Promise<VouchedActorCert | undefined> {
    const idCert = await parseIdCert(cacheable.idCertPem);
    if (idCert.fid === undefined) return undefined;
    const entry = await this.vouched(idCert.fid, cacheable, homeKey, this.now());
    this.remember(entry);
    await this.store.saveActorCert({
      fid: entry.fid,
      serial: entry.serial,
      cacheable: entry.cacheable,
      fetchedAt: entry.fetchedAt,
    });
    return entry;
  }

  private async vouched(
    fid: string,
    raw: CacheableIdCert,
    homeKey: PublicKey,
    fetchedAt: number,
  ): Promise<VouchedActorCert> {
    const cacheable = normalisedCacheable(raw);
    const verified = await verifyCacheableIdCert(cacheable, homeKey);
    const idCert = verified.idCert;
    if (idCert.fid !== fid)
      throw new Error(`cert ${idCert.serial} belongs to ${idCert.fid ?? "no actor"}, not ${fid}`);
    return {
      fid,
      serial: idCert.serial,
      idCert,
      cacheable,
      invalidatedAt: cacheable.invalidatedAt,
      fetchedAt,
    };
  }

  private remember(entry: VouchedActorCert): void {
    const key = `${entry.idCert.domain} ${entry.serial}`;
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > MEMORY_LIMIT) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
  }
}
