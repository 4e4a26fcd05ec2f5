/**
 * polyproto-auth (PROFILE §3, docs/protocol.md §4a): accounts on a home server and registration
 * invites. Login itself (key, ID-CSR, checks, storage) is `session/login.ts`; this is the wire.
 */
import { type ApiCaller, jsonOf } from "../http/api.js";

export interface RegisterRequest {
  readonly localName: string;
  /** 8–1024 characters. */
  readonly password: string;
  /** A registration invite code, on servers in `invite` mode. */
  readonly invite?: string;
}

export interface LoginRequest {
  readonly localName: string;
  readonly password: string;
  /** The ID-CSR (PEM) of the new session. */
  readonly csr: string;
}

export interface LoginAnswer {
  readonly idCertPem: string;
  readonly token: string;
}

export interface RegistrationInvite {
  readonly code: string;
  readonly createdBy: string;
  /** null: unlimited. */
  readonly usesLeft: number | null;
  /** UNIX ms; null: never expires. */
  readonly expiresAt: number | null;
  /** UNIX ms. */
  readonly createdAt: number;
}

export interface CreateInviteOptions {
  /** 0 or absent: unlimited. */
  readonly maxUses?: number;
  /** Seconds; 0 or absent: never expires. */
  readonly maxAge?: number;
}

/** `POST /.p2/auth/v1/register` → `{fid}` (201). */
export async function register(
  caller: ApiCaller,
  domain: string,
  request: RegisterRequest,
): Promise<{ fid: string }> {
  const answer = await caller.call(domain, {
    api: "auth",
    method: "POST",
    path: "v1/register",
    json: request,
    auth: false,
  });
  return jsonOf(answer, domain, "register");
}

/** `POST /.p2/auth/v1/login` → `{idCertPem, token}` (201). */
export async function login(caller: ApiCaller, domain: string, request: LoginRequest): Promise<LoginAnswer> {
  const answer = await caller.call(domain, {
    api: "auth",
    method: "POST",
    path: "v1/login",
    json: request,
    auth: false,
  });
  return jsonOf(answer, domain, "login");
}

/** Registration invites of the home server (administrators only: others get 403 P2CORE_ADMIN_ONLY). */
export class InvitesApi {
  constructor(
    private readonly caller: ApiCaller,
    private readonly home: string,
  ) {}

  async create(options: CreateInviteOptions = {}): Promise<RegistrationInvite> {
    const answer = await this.caller.call(this.home, {
      api: "auth",
      method: "POST",
      path: "v1/invites",
      json: options,
    });
    return jsonOf(answer, this.home, "create invite");
  }

  async list(): Promise<RegistrationInvite[]> {
    const answer = await this.caller.call(this.home, { api: "auth", method: "GET", path: "v1/invites" });
    return jsonOf(answer, this.home, "list invites");
  }

  async delete(code: string): Promise<void> {
    await this.caller.call(this.home, {
      api: "auth",
      method: "DELETE",
      path: `v1/invites/${encodeURIComponent(code)}`,
    });
  }
}
