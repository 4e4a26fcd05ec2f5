/**
 * What the SDK keeps between runs, behind one interface: per session its identity key (PKCS#8) and
 * ID-Cert, its tokens per server, and the cert cache (home-server roots and actors' certs as
 * CacheableIDCerts, PROFILE §1). Three implementations share one behavioural suite
 * (`store.suite.ts`): `MemoryStore` (tests, short-lived tools), `FileStore` (Node: files in a
 * directory, mode 0600) and `IndexedDbStore` (browsers).
 *
 * Each implementation is a `RecordStore` over a small `RecordBackend` (records of JSON values in
 * namespaces), so the typed layer — and its encodings — exist once.
 */
import { type CacheableIdCert, fromBase64, toBase64 } from "@p2chat/polyproto";

/** One session (device) of an actor, as stored: everything needed to act as it again. */
export interface StoredSession {
  readonly fid: string;
  readonly sessionId: string;
  /** The actor's home server domain (the FID's domain). */
  readonly homeDomain: string;
  /** PKCS#8 DER of the session's Ed25519 identity key. Stored apart from the rest, as a secret. */
  readonly privateKey: Uint8Array;
  /** The session's current ID-Cert, PEM. */
  readonly idCertPem: string;
  /** UNIX ms of the last save (which session `P2Client.resume` picks when none is named). */
  readonly savedAt: number;
}

export interface SessionRef {
  readonly fid: string;
  readonly sessionId: string;
  readonly savedAt: number;
}

/** An actor's cert as the cache keeps it: the CacheableIDCert and who it belongs to. */
export interface StoredActorCert {
  readonly fid: string;
  readonly serial: string;
  readonly cacheable: CacheableIdCert;
  /** UNIX ms when it was fetched (entries are never used more than 12 h after). */
  readonly fetchedAt: number;
}

export interface StoredServerRoot {
  readonly domain: string;
  readonly cacheable: CacheableIdCert;
  readonly fetchedAt: number;
}

export interface ClientStore {
  /** Saves (or replaces) a session: its key and cert. */
  saveSession(session: StoredSession): Promise<void>;
  loadSession(fid: string, sessionId: string): Promise<StoredSession | undefined>;
  /** Every stored session, of one actor when `fid` is given, most recently saved first. */
  listSessions(fid?: string): Promise<SessionRef[]>;
  /** Deletes a session's key, cert and tokens. */
  deleteSession(fid: string, sessionId: string): Promise<void>;

  /** The session's token on `domain` (one per server, PROFILE §3). */
  saveToken(fid: string, sessionId: string, domain: string, token: string): Promise<void>;
  loadToken(fid: string, sessionId: string, domain: string): Promise<string | undefined>;
  deleteToken(fid: string, sessionId: string, domain: string): Promise<void>;

  saveServerRoot(root: StoredServerRoot): Promise<void>;
  loadServerRoot(domain: string): Promise<StoredServerRoot | undefined>;
  deleteServerRoot(domain: string): Promise<void>;

  saveActorCert(cert: StoredActorCert): Promise<void>;
  /** An actor's cert by its home domain and serial. */
  loadActorCert(domain: string, serial: string): Promise<StoredActorCert | undefined>;
  deleteActorCert(domain: string, serial: string): Promise<void>;

  /** Releases what the store holds open (a database connection); the store is unusable after. */
  close(): Promise<void>;
}

/** JSON values, as every backend can hold them. */
export type RecordValue = null | boolean | number | string | RecordValue[] | { [key: string]: RecordValue };

/** Namespaces of records; `keys` hold secrets only. */
export type RecordNamespace = "sessions" | "keys" | "tokens" | "roots" | "actorCerts";

/** Records of JSON values by namespace and key: what each platform implements. */
export interface RecordBackend {
  get(namespace: RecordNamespace, key: string): Promise<RecordValue | undefined>;
  put(namespace: RecordNamespace, key: string, value: RecordValue): Promise<void>;
  delete(namespace: RecordNamespace, key: string): Promise<void>;
  /** Every key of the namespace, in any order. */
  keys(namespace: RecordNamespace): Promise<string[]>;
  close(): Promise<void>;
}

// Keys join their parts with a space: FIDs, domains, serials and session IDs never contain one
// (session IDs are printable ASCII without space, PROFILE §1 as read in protocol.md §1).
const join = (...parts: string[]) => parts.join(" ");

interface SessionRecord {
  fid: string;
  sessionId: string;
  homeDomain: string;
  idCertPem: string;
  savedAt: number;
}

/** The typed store over a backend. */
export class RecordStore implements ClientStore {
  constructor(protected readonly backend: RecordBackend) {}

  async saveSession(session: StoredSession): Promise<void> {
    const key = join(session.fid, session.sessionId);
    // The key first: a session record without its key would be unusable.
    await this.backend.put("keys", key, { pkcs8: toBase64(session.privateKey) });
    const record: SessionRecord = {
      fid: session.fid,
      sessionId: session.sessionId,
      homeDomain: session.homeDomain,
      idCertPem: session.idCertPem,
      savedAt: session.savedAt,
    };
    await this.backend.put("sessions", key, toRecord(record));
  }

  async loadSession(fid: string, sessionId: string): Promise<StoredSession | undefined> {
    const key = join(fid, sessionId);
    const record = (await this.backend.get("sessions", key)) as SessionRecord | undefined;
    const secret = (await this.backend.get("keys", key)) as { pkcs8?: string } | undefined;
    const privateKey = typeof secret?.pkcs8 === "string" ? fromBase64(secret.pkcs8) : undefined;
    if (!record || !privateKey) return undefined;
    return { ...record, privateKey };
  }

  async listSessions(fid?: string): Promise<SessionRef[]> {
    const refs: SessionRef[] = [];
    for (const key of await this.backend.keys("sessions")) {
      const record = (await this.backend.get("sessions", key)) as SessionRecord | undefined;
      if (!record || (fid !== undefined && record.fid !== fid)) continue;
      refs.push({ fid: record.fid, sessionId: record.sessionId, savedAt: record.savedAt });
    }
    return refs.sort((a, b) => b.savedAt - a.savedAt);
  }

  async deleteSession(fid: string, sessionId: string): Promise<void> {
    const key = join(fid, sessionId);
    const prefix = `${key} `;
    for (const tokenKey of await this.backend.keys("tokens")) {
      if (tokenKey.startsWith(prefix)) await this.backend.delete("tokens", tokenKey);
    }
    await this.backend.delete("sessions", key);
    await this.backend.delete("keys", key);
  }

  async saveToken(fid: string, sessionId: string, domain: string, token: string): Promise<void> {
    await this.backend.put("tokens", join(fid, sessionId, domain), token);
  }

  async loadToken(fid: string, sessionId: string, domain: string): Promise<string | undefined> {
    const token = await this.backend.get("tokens", join(fid, sessionId, domain));
    return typeof token === "string" ? token : undefined;
  }

  async deleteToken(fid: string, sessionId: string, domain: string): Promise<void> {
    await this.backend.delete("tokens", join(fid, sessionId, domain));
  }

  async saveServerRoot(root: StoredServerRoot): Promise<void> {
    await this.backend.put("roots", root.domain, toRecord(root));
  }

  async loadServerRoot(domain: string): Promise<StoredServerRoot | undefined> {
    return (await this.backend.get("roots", domain)) as StoredServerRoot | undefined;
  }

  async deleteServerRoot(domain: string): Promise<void> {
    await this.backend.delete("roots", domain);
  }

  async saveActorCert(cert: StoredActorCert): Promise<void> {
    await this.backend.put("actorCerts", join(domainOf(cert.fid), cert.serial), toRecord(cert));
  }

  async loadActorCert(domain: string, serial: string): Promise<StoredActorCert | undefined> {
    return (await this.backend.get("actorCerts", join(domain, serial))) as StoredActorCert | undefined;
  }

  async deleteActorCert(domain: string, serial: string): Promise<void> {
    await this.backend.delete("actorCerts", join(domain, serial));
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

function domainOf(fid: string): string {
  return fid.slice(fid.lastIndexOf("@") + 1);
}

/** A plain copy without `undefined` members (absent optional fields), as JSON would have it. */
function toRecord(value: object): RecordValue {
  return JSON.parse(JSON.stringify(value)) as RecordValue;
}
