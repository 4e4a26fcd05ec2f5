/**
 * `P2Client`: one actor's session (`alice@a.test`, one device) on every server it talks to. It holds
 * the session's key and cert, a token per server (login on the home server, key trials elsewhere),
 * the gateways, the cert cache for verifying messages, and the typed APIs — one module per area
 * under `api/` (chat comes as `api/chat/…`).
 *
 * ```ts
 * const alice = await P2Client.login({ homeServer: "a.test", localName: "alice", password, store });
 * alice.on("newSession", ({ cert }) => …);
 * await alice.connect();
 * const result = await alice.verifyMessage(message); // {status: "verified" | "failed" | "unverifiable"}
 * ```
 */
import {
  createEnvelope,
  parseDomain,
  parseIdCert,
  type ReadyPayload,
  type SignedEnvelope,
  signEnvelope,
} from "@p2chat/polyproto";
import { register as registerRequest, type RegisterRequest, InvitesApi } from "./api/auth.js";
import { EventPollingApi } from "./api/events.js";
import { ForeignApi } from "./api/foreign.js";
import { IdentityApi } from "./api/identity.js";
import { KeyMaterialApi } from "./api/keyMaterial.js";
import { ServicesApi } from "./api/services.js";
import { P2ClientError } from "./errors.js";
import {
  type EmittedEvent,
  type GatewayEventMap,
  type Listener,
  type NextOptions,
  TypedEmitter,
} from "./gateway/events.js";
import { GatewayClient, type ReconnectOptions } from "./gateway/gatewayClient.js";
import type { SocketFactory } from "./gateway/socket.js";
import { type ApiAnswer, type ApiRequest, ServerApi } from "./http/api.js";
import { ServerResolver } from "./http/resolver.js";
import { HttpTransport } from "./http/transport.js";
import { AuthenticatedApi } from "./session/authenticatedApi.js";
import type { SessionIdentity } from "./session/identity.js";
import { loginSession, resumeSession } from "./session/login.js";
import { SessionTokens } from "./session/tokens.js";
import { MemoryStore } from "./store/memoryStore.js";
import type { ClientStore } from "./store/store.js";
import { ActorCerts } from "./verify/actorCerts.js";
import { RootCerts } from "./verify/rootCerts.js";
import {
  MessageVerifier,
  type SignedMessageInput,
  type VerificationResult,
  type VerifyOptions,
} from "./verify/verifyMessage.js";

export interface ClientOptions {
  /** Where keys, certs, tokens and the cert cache are kept; a `MemoryStore` by default. */
  readonly store?: ClientStore;
  /**
   * Static resolver, domain → base URL (`{"b.test": "http://127.0.0.1:4102"}`): the only place plain
   * HTTP is allowed. Other domains resolve through `https://<domain>/.well-known/polyproto-core`.
   */
  readonly servers?: Readonly<Record<string, string>>;
  /** The fetch to use (the platform's by default). */
  readonly fetch?: typeof fetch;
  /** Per-request timeout, ms (10 s by default). */
  readonly timeoutMs?: number;
  readonly gateway?: {
    readonly reconnect?: ReconnectOptions;
    readonly handshakeTimeoutMs?: number;
    /** The WebSocket to use (the platform's by default: `ws` in Node, the browser's own). */
    readonly openSocket?: SocketFactory;
  };
  /** Where exceptions thrown by event listeners go (rethrown outside the gateway loop by default). */
  readonly onListenerError?: (error: unknown) => void;
}

export interface RegisterOptions extends ClientOptions, RegisterRequest {
  /** The home server's domain. */
  readonly homeServer: string;
}

export interface LoginOptions extends ClientOptions {
  readonly homeServer: string;
  readonly localName: string;
  readonly password: string;
  /** 1–32 printable ASCII characters, unique among the actor's valid sessions; random by default. */
  readonly sessionId?: string;
}

export interface ResumeOptions extends ClientOptions {
  readonly store: ClientStore;
  readonly fid: string;
  /** Which stored session; the most recently saved one of `fid` by default. */
  readonly sessionId?: string;
}

/** What `signMessage` needs; author, session, serial, ts and nonce are filled in. */
export interface MessageToSign {
  readonly kind: string;
  readonly to: string;
  readonly body: Record<string, unknown>;
}

/** The parts every client shares: HTTP, resolution, store, cert caches. */
interface Plumbing {
  readonly options: ClientOptions;
  readonly store: ClientStore;
  readonly api: ServerApi;
  readonly roots: RootCerts;
}

function plumbing(options: ClientOptions): Plumbing {
  const transport = new HttpTransport({ fetch: options.fetch, timeoutMs: options.timeoutMs });
  const resolver = new ServerResolver({ servers: options.servers, transport });
  const store = options.store ?? new MemoryStore();
  const api = new ServerApi(resolver, transport);
  return { options, store, api, roots: new RootCerts(api, store) };
}

export class P2Client {
  /** Registration invites (home server administrators). */
  readonly invites: InvitesApi;
  /** Certs, sessions, server key. */
  readonly identity: IdentityApi;
  /** Discoverable services [core §9]. */
  readonly services: ServicesApi;
  /** Encrypted private key material [core §6.3]. */
  readonly keyMaterial: KeyMaterialApi;
  /** Challenges, key trials, cert announcements on other servers. */
  readonly foreign: ForeignApi;
  /** Events without a socket [core §3.3]. */
  readonly polling: EventPollingApi;
  readonly store: ClientStore;

  private readonly tokens: SessionTokens;
  private readonly caller: AuthenticatedApi;
  private readonly verifier: MessageVerifier;
  private readonly actorCerts: ActorCerts;
  private readonly emitter: TypedEmitter<GatewayEventMap>;
  private readonly gateways = new Map<string, GatewayClient>();
  private identityValue: SessionIdentity;

  private constructor(
    private readonly parts: Plumbing,
    identity: SessionIdentity,
  ) {
    this.identityValue = identity;
    this.store = parts.store;
    this.tokens = new SessionTokens(parts.api, parts.store, () => this.identityValue);
    this.caller = new AuthenticatedApi(parts.api, this.tokens);
    this.actorCerts = new ActorCerts(parts.api, parts.store);
    this.verifier = new MessageVerifier(parts.roots, this.actorCerts);
    this.emitter = new TypedEmitter(parts.options.onListenerError);
    const home = identity.homeDomain;
    this.invites = new InvitesApi(this.caller, home);
    this.identity = new IdentityApi(this.caller, home, identity.fid);
    this.services = new ServicesApi(this.caller, home);
    this.keyMaterial = new KeyMaterialApi(this.caller, home);
    this.foreign = new ForeignApi(this.caller);
    this.polling = new EventPollingApi(this.caller);
    this.emitter.on("certificateInvalidation", (payload) => void this.certificateInvalidated(payload));
    this.emitter.on(
      "serverCertificateChange",
      (_payload, meta) => void parts.roots.forget(meta.domain).catch(() => {}),
    );
  }

  /** `POST /.p2/auth/v1/register` on the home server → `{fid}`; log in afterwards. */
  static async register(options: RegisterOptions): Promise<{ fid: string }> {
    const { api } = plumbing(options);
    let domain: string;
    try {
      domain = parseDomain(options.homeServer);
    } catch (error) {
      throw P2ClientError.from(error);
    }
    const request: RegisterRequest = {
      localName: options.localName,
      password: options.password,
      invite: options.invite,
    };
    return registerRequest(api, domain, request);
  }

  /** Logs in as a new session (a fresh Ed25519 key and ID-Cert); key, cert and token are stored. */
  static async login(options: LoginOptions): Promise<P2Client> {
    const parts = plumbing(options);
    const { identity } = await loginSession(parts.api, parts.roots, parts.store, options);
    return new P2Client(parts, identity);
  }

  /** Opens a stored session again (its key, cert and tokens), without talking to any server. */
  static async resume(options: ResumeOptions): Promise<P2Client> {
    const parts = plumbing(options);
    return new P2Client(parts, await resumeSession(parts.store, options.fid, options.sessionId));
  }

  get fid(): string {
    return this.identityValue.fid;
  }

  get sessionId(): string {
    return this.identityValue.sessionId;
  }

  get homeDomain(): string {
    return this.identityValue.homeDomain;
  }

  /** The session's current ID-Cert. */
  get idCert(): SessionIdentity["idCert"] {
    return this.identityValue.idCert;
  }

  /** A key trial on `domain` now; the new token replaces any earlier one (also on the home server). */
  async authenticateOn(domain: string): Promise<string> {
    return this.tokens.authenticateOn(normalised(domain));
  }

  /** The session's token on `domain` (a key trial on first use). */
  async tokenFor(domain: string): Promise<string> {
    return this.tokens.tokenFor(normalised(domain));
  }

  /** One API request to `domain` with this session's token there (re-authenticating once after a 401). */
  request(domain: string, request: ApiRequest): Promise<ApiAnswer> {
    return this.caller.call(domain, request);
  }

  // ---------------------------------------------------------------------------------------------
  // Gateway

  /** The gateway client of `domain` (the home server by default), created on first use. */
  gateway(domain: string = this.homeDomain): GatewayClient {
    const server = normalised(domain);
    let gateway = this.gateways.get(server);
    if (!gateway) {
      const options = this.parts.options.gateway ?? {};
      gateway = new GatewayClient({
        domain: server,
        url: async () => (await this.parts.api.resolver.resolve(server)).gateway,
        token: () => this.tokens.tokenFor(server),
        reauthenticate: () => this.tokens.authenticateOn(server),
        openSocket: options.openSocket,
        reconnect: options.reconnect,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        events: this.emitter,
      });
      this.gateways.set(server, gateway);
    }
    return gateway;
  }

  /** Connects the gateway of `domain` (home by default); resolves with Ready. */
  connect(domain?: string): Promise<ReadyPayload> {
    return this.gateway(domain).connect();
  }

  /** Subscribes a service channel (`chat`, `mls`) on the gateway of `domain` (home by default). */
  subscribe(service: string, domain?: string): Promise<void> {
    return this.gateway(domain).subscribe(service);
  }

  /** Listens to gateway events of every connected server (`meta.domain` says which). */
  on<K extends keyof GatewayEventMap>(name: K, listener: Listener<GatewayEventMap[K]>): () => void {
    return this.emitter.on(name, listener);
  }

  once<K extends keyof GatewayEventMap>(name: K, listener: Listener<GatewayEventMap[K]>): () => void {
    return this.emitter.once(name, listener);
  }

  off<K extends keyof GatewayEventMap>(name: K, listener: Listener<GatewayEventMap[K]>): void {
    this.emitter.off(name, listener);
  }

  /** The next event `name` (matching `filter`). */
  next<K extends keyof GatewayEventMap>(
    name: K,
    options?: NextOptions<GatewayEventMap[K]>,
  ): Promise<EmittedEvent<GatewayEventMap[K]>> {
    return this.emitter.next(name, options);
  }

  /** Events `name` as an async iterator: `for await (const { payload, meta } of client.events("chat"))`. */
  events<K extends keyof GatewayEventMap>(
    name: K,
    options?: { signal?: AbortSignal },
  ): AsyncIterableIterator<EmittedEvent<GatewayEventMap[K]>> {
    return this.emitter.iterate(name, options);
  }

  // ---------------------------------------------------------------------------------------------
  // Signed messages

  /** Builds and signs an envelope as this session (PROFILE §6). */
  async signMessage(message: MessageToSign): Promise<{ envelope: SignedEnvelope; signature: string }> {
    const identity = this.identityValue;
    const envelope = createEnvelope({
      kind: message.kind,
      to: message.to,
      author: identity.fid,
      session: identity.sessionId,
      serial: identity.idCert.serial,
      body: message.body,
    });
    return { envelope, signature: await signEnvelope(identity.signingKey, envelope) };
  }

  /** Verifies a signed message (PROFILE §6, core §6.4); never throws for a bad message. */
  verifyMessage(message: SignedMessageInput, options?: VerifyOptions): Promise<VerificationResult> {
    return this.verifier.verify(message, options);
  }

  // ---------------------------------------------------------------------------------------------
  // Ending

  /** Revokes this session on the home server (sensitive: the account password), then forgets it locally. */
  async logout(password: string): Promise<void> {
    await this.identity.revokeSession(this.sessionId, password);
    await this.close();
    await this.store.deleteSession(this.fid, this.sessionId);
  }

  /** Closes every gateway. The store stays open (it is the caller's); the session stays stored. */
  async close(): Promise<void> {
    for (const gateway of this.gateways.values()) gateway.close();
    this.gateways.clear();
  }

  /** Op 4: a revocation vouched for by the cert's home server replaces the cached cert. */
  private async certificateInvalidated(payload: GatewayEventMap["certificateInvalidation"]): Promise<void> {
    try {
      const { domain } = await parseIdCert(payload.idCertPem);
      const { root } = await this.parts.roots.current(domain);
      await this.actorCerts.invalidated(payload, root.publicKey);
    } catch {
      // not vouched for by its home server (or it cannot be reached): nothing to record
    }
  }
}

function normalised(domain: string): string {
  try {
    return parseDomain(domain);
  } catch (error) {
    throw P2ClientError.from(error);
  }
}
