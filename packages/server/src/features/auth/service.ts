/**
 * polyproto-auth (PROFILE §3): accounts of this home server, registration in the configured mode,
 * login with a CSR (issues the session's ID-Cert and its token), and the sensitive-action check.
 */
import { randomBytes } from "node:crypto";
import { isValidLocalName, parseIdCsr } from "@p2chat/polyproto";
import type { Config } from "../../config.js";
import type { SensitiveSolutionChecker } from "../../http/authenticate.js";
import { P2Error } from "../../http/errors.js";
import type { RegistrationInvite } from "../../storage/registrationInviteStore.js";
import type { Stores } from "../../storage/storage.js";
import type { CertificateAuthority } from "../ca/service.js";
import type { IdentityEvents } from "../core/service.js";
import type { SessionService } from "../sessions/service.js";
import { hashPassword, verifyPassword } from "./passwords.js";

export interface RegisterRequest {
  readonly localName: string;
  readonly password: string;
  readonly invite?: string;
}

export interface LoginRequest {
  readonly localName: string;
  readonly password: string;
  readonly csr: string;
}

type Dependencies = Pick<Config, "domain" | "registration"> & {
  readonly storage: Pick<Stores, "accounts" | "registrationInvites"> & {
    transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
  };
  readonly ca: CertificateAuthority;
  readonly sessions: SessionService;
  readonly events?: Pick<IdentityEvents, "newSession">;
};

export class AccountService implements SensitiveSolutionChecker {
  constructor(private readonly deps: Dependencies) {}

  /**
   * Creates an account. Modes: `open`; `invite` (a valid registration invite is used up in the
   * same transaction); `closed`. The first account of a server is its administrator.
   */
  async register(request: RegisterRequest, now = Date.now()): Promise<{ fid: string }> {
    const localName = request.localName.toLowerCase();
    if (!isValidLocalName(localName)) {
      throw new P2Error(
        400,
        "P2CORE_INVALID_FEDERATION_ID",
        `not a valid local name: ${JSON.stringify(request.localName)}`,
      );
    }
    const mode = this.deps.registration;
    if (mode === "closed")
      throw new P2Error(403, "P2CORE_REGISTRATION_CLOSED", "registration is closed on this server");
    const fid = `${localName}@${this.deps.domain}`;
    const passwordHash = await hashPassword(request.password);
    await this.deps.storage.transaction(async (stores) => {
      if (mode === "invite") {
        if (!request.invite || !(await stores.registrationInvites.redeem(request.invite, now))) {
          throw new P2Error(403, "P2CORE_INVITE_REQUIRED", "registration needs a valid, unused invite code");
        }
      }
      const isAdmin = (await stores.accounts.count()) === 0;
      const created = await stores.accounts.create({
        fid,
        localName,
        passwordHash,
        createdAt: now,
        isAdmin,
        totpSecret: null,
      });
      if (!created) throw new P2Error(409, "P2CORE_FEDERATION_ID_TAKEN", `${fid} is taken`);
    });
    return { fid };
  }

  /** Checks the password, issues an ID-Cert for the CSR's session, and its token. */
  async login(
    request: LoginRequest,
    now = Date.now(),
  ): Promise<{ idCertPem: string; token: string; fid: string }> {
    const fid = await this.checkPassword(request.localName, request.password);
    const csr = await parseIdCsr(request.csr);
    const { cert, record } = await this.deps.ca.issue(csr, fid, now);
    const token = await this.deps.sessions.grantLocal(
      { fid, certSerial: record.serial, sessionId: record.sessionId, expiresAt: record.notAfter },
      now,
    );
    await this.deps.events?.newSession(fid, record.sessionId, cert.pem);
    return { idCertPem: cert.pem, token, fid };
  }

  /** Sensitive actions [core §4.1.2]: the header must carry the account's password. */
  async checkSensitiveSolution(fid: string, solution: string | undefined): Promise<void> {
    if (solution === undefined || solution.length === 0) {
      throw new P2Error(
        401,
        "P2CORE_SENSITIVE_SOLUTION_REQUIRED",
        "this action needs X-P2-Sensitive-Solution",
      );
    }
    const account = await this.deps.storage.accounts.find(fid);
    if (!account || !(await verifyPassword(solution, account.passwordHash))) {
      throw new P2Error(403, "P2CORE_SENSITIVE_SOLUTION_WRONG", "X-P2-Sensitive-Solution is wrong");
    }
  }

  /** Creates a registration invite (administrators only). */
  async createInvite(
    creatorFid: string,
    options: { maxUses?: number; maxAgeSeconds?: number },
    now = Date.now(),
  ): Promise<RegistrationInvite> {
    await this.requireAdmin(creatorFid);
    const invite: RegistrationInvite = {
      code: randomBytes(12).toString("base64url"),
      createdByFid: creatorFid,
      usesLeft: options.maxUses ? options.maxUses : null,
      expiresAt: options.maxAgeSeconds ? now + options.maxAgeSeconds * 1000 : null,
      createdAt: now,
    };
    await this.deps.storage.registrationInvites.create(invite);
    return invite;
  }

  async listInvites(fid: string): Promise<RegistrationInvite[]> {
    await this.requireAdmin(fid);
    return this.deps.storage.registrationInvites.list();
  }

  async deleteInvite(fid: string, code: string): Promise<void> {
    await this.requireAdmin(fid);
    if (!(await this.deps.storage.registrationInvites.delete(code))) {
      throw new P2Error(404, "P2CORE_NOT_FOUND", "no such invite");
    }
  }

  async requireAdmin(fid: string): Promise<void> {
    if (!(await this.isAdmin(fid)))
      throw new P2Error(403, "P2CORE_ADMIN_ONLY", "only server administrators may do this");
  }

  /** Whether this server has an account with this FID. */
  async exists(fid: string): Promise<boolean> {
    return (await this.deps.storage.accounts.find(fid)) !== undefined;
  }

  /** Whether the actor administers this server. */
  async isAdmin(fid: string): Promise<boolean> {
    return (await this.deps.storage.accounts.find(fid))?.isAdmin === true;
  }

  private async checkPassword(localName: string, password: string): Promise<string> {
    const fid = `${localName.toLowerCase()}@${this.deps.domain}`;
    const account = await this.deps.storage.accounts.find(fid);
    // The same answer (and a hash's worth of work) for an unknown account and a wrong password.
    const matches = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
    if (!account || !matches)
      throw new P2Error(401, "P2CORE_WRONG_CREDENTIALS", "unknown account or wrong password");
    return fid;
  }
}

const DUMMY_HASH = await hashPassword("not a password of anyone");
