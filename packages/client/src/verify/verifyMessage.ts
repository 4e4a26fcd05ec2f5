/**
 * Verification of signed messages (PROFILE §6, core §6.2.1, §6.4): is this envelope signed by the
 * session it names, with a cert its home server vouches for and that was valid when it was signed?
 *
 * Order of look-ups (core §6.4, Fig. 4): the home server's root (only ever from the home server);
 * then the sender's cert — from the cache while its window is usable; else from the server where the
 * conversation happens (which may answer 404 for actors that are not its own); else from the home
 * server. A cert that does not make the message verify is looked up again at the next source before
 * the message counts as failed.
 *
 * Outcomes — never an exception:
 * - `verified`: a cert vouched for by the home server (cacheSignature), chaining to the home root of
 *   its time, valid at `ts`, of that author/session/serial, not revoked before `ts`, and the Ed25519
 *   signature over `"polyproto-chat/1\n" + JCS(envelope)` verifies with its key;
 * - `failed`: the message is malformed, or such a cert was found and the message does not check out
 *   against it (tampered, signed by another key, revoked before `ts`, outside the cert's validity);
 * - `unverifiable`: no usable cert could be had (home server unreachable, cert unknown everywhere).
 */
import {
  checkEnvelopeClaims,
  MAX_CLOCK_SKEW_MS,
  parseDomain,
  parseEnvelope,
  PolyprotoError,
  type SignedEnvelope,
  tryParseFederationId,
  validateIdCert,
  verifyEnvelope,
} from "@p2chat/polyproto";
import type { ActorCerts, VouchedActorCert } from "./actorCerts.js";
import type { RootCerts, VerifiedRoot } from "./rootCerts.js";

/** A signed message as servers serve it (PROFILE §7.1's Message has these and more). */
export interface SignedMessageInput {
  readonly envelope: unknown;
  readonly signature: unknown;
  /** UNIX ms at which the server received it; when given, `ts` must be within 5 minutes of it. */
  readonly receivedAt?: unknown;
}

export type VerificationStatus = "verified" | "failed" | "unverifiable";

export type CertSource = "cache" | "conversation server" | "home server";

export interface VerificationResult {
  readonly status: VerificationStatus;
  /** Why it failed or could not be verified. */
  readonly reason?: string;
  /** Where the cert that decided came from (verified, and failed after a cert was found). */
  readonly source?: CertSource;
  /** UNIX seconds: the cert was revoked after the message was signed (verified, but note it). */
  readonly revokedAt?: number;
}

export interface VerifyOptions {
  /** Domain of the server where the conversation happens; derived from `envelope.to` when absent. */
  readonly server?: string;
}

type Check =
  | { readonly ok: true; readonly revokedAt?: number }
  | { readonly ok: false; readonly outcome: "failed" | "unverifiable"; readonly reason: string };

const failed = (reason: string, source?: CertSource): VerificationResult => ({
  status: "failed",
  reason,
  ...(source && { source }),
});
const unverifiable = (reason: string): VerificationResult => ({ status: "unverifiable", reason });
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The server an envelope's conversation lives on: `chat:channel:<domain>/<id>` → domain;
 * `chat:dm:<fid>` → the recipient's home server (DMs are stored there, PROFILE §7).
 */
export function conversationServerOf(to: string): string | undefined {
  const channel = /^chat:channel:([^/]+)\//.exec(to);
  if (channel?.[1]) return channel[1].toLowerCase();
  const dm = /^chat:dm:(.+)$/.exec(to);
  if (dm?.[1]) return tryParseFederationId(dm[1])?.domain;
  return undefined;
}

export class MessageVerifier {
  constructor(
    private readonly roots: RootCerts,
    private readonly actorCerts: ActorCerts,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(message: SignedMessageInput, options: VerifyOptions = {}): Promise<VerificationResult> {
    try {
      return await this.run(message, options);
    } catch (error) {
      // A bug or an unexpected answer must not make a message look bad or good.
      return unverifiable(`verification stopped: ${messageOf(error)}`);
    }
  }

  private async run(message: SignedMessageInput, options: VerifyOptions): Promise<VerificationResult> {
    if (typeof message !== "object" || message === null) return failed("not a signed message");
    let envelope: SignedEnvelope;
    try {
      envelope = parseEnvelope(message.envelope);
    } catch (error) {
      return failed(`malformed envelope: ${messageOf(error)}`);
    }
    const signature = message.signature;
    if (typeof signature !== "string" || !/^[0-9a-f]{128}$/.test(signature)) {
      return failed("the signature must be 128 lowercase hex digits");
    }
    if (envelope.ts > this.now() + MAX_CLOCK_SKEW_MS)
      return failed("signed more than 5 minutes in the future");
    if (
      typeof message.receivedAt === "number" &&
      Math.abs(message.receivedAt - envelope.ts) > MAX_CLOCK_SKEW_MS
    ) {
      return failed("ts is more than 5 minutes from when the server received the message");
    }
    const home = envelope.author.slice(envelope.author.lastIndexOf("@") + 1);
    let conversation: string;
    try {
      conversation =
        options.server === undefined
          ? (conversationServerOf(envelope.to) ?? home)
          : parseDomain(options.server);
    } catch (error) {
      return unverifiable(messageOf(error));
    }

    let root: VerifiedRoot;
    try {
      root = await this.roots.current(home);
    } catch (error) {
      return unverifiable(`no root cert of ${home}: ${messageOf(error)}`);
    }

    const sources: {
      readonly source: CertSource;
      readonly look: () => Promise<VouchedActorCert | undefined>;
    }[] = [
      { source: "cache", look: () => this.actorCerts.cached(home, envelope.serial, root.root.publicKey) },
    ];
    const ask = (server: string) => async () =>
      (await this.actorCerts.fetch(server, envelope.author, root.root.publicKey, envelope.session))?.find(
        (entry) => entry.serial === envelope.serial,
      );
    if (conversation !== home) sources.push({ source: "conversation server", look: ask(conversation) });
    sources.push({ source: "home server", look: ask(home) });

    let failure: VerificationResult | undefined;
    let problem = `no cert ${envelope.serial} of ${envelope.author} could be found`;
    for (const { source, look } of sources) {
      let cert: VouchedActorCert | undefined;
      try {
        cert = await look();
      } catch (error) {
        problem = `${source}: ${messageOf(error)}`;
        continue;
      }
      if (!cert) {
        if (source !== "cache")
          problem = `the ${source} knows no cert ${envelope.serial} of ${envelope.author}`;
        continue;
      }
      const check = await this.check(envelope, signature, cert, root, home);
      if (check.ok)
        return {
          status: "verified",
          source,
          ...(check.revokedAt !== undefined && { revokedAt: check.revokedAt }),
        };
      if (check.outcome === "failed") failure = failed(check.reason, source);
      else problem = `${source}: ${check.reason}`;
    }
    return failure ?? unverifiable(problem);
  }

  private async check(
    envelope: SignedEnvelope,
    signature: string,
    cert: VouchedActorCert,
    current: VerifiedRoot,
    home: string,
  ): Promise<Check> {
    const idCert = cert.idCert;
    try {
      // author, session and serial are the cert's (the clock check is not ours: history is old).
      checkEnvelopeClaims(envelope, {
        author: cert.fid,
        session: idCert.sessionId ?? "",
        serial: idCert.serial,
        now: envelope.ts,
      });
    } catch (error) {
      return { ok: false, outcome: "failed", reason: messageOf(error) };
    }
    if (cert.invalidatedAt !== undefined && cert.invalidatedAt * 1000 <= envelope.ts) {
      return {
        ok: false,
        outcome: "failed",
        reason: `cert ${cert.serial} was revoked at ${cert.invalidatedAt}, before the message was signed`,
      };
    }
    // core §6.1.3: a cert issued before a root rotation chains to the root of its time.
    let chainRoot = current.root;
    if (idCert.notBefore < current.root.notBefore) {
      let older: typeof chainRoot | undefined;
      try {
        older = await this.roots.at(home, idCert.notBefore.getTime());
      } catch (error) {
        return {
          ok: false,
          outcome: "unverifiable",
          reason: `no root of ${home} for ${idCert.notBefore.toISOString()}: ${messageOf(error)}`,
        };
      }
      if (!older)
        return {
          ok: false,
          outcome: "failed",
          reason: `${home} had no root when cert ${cert.serial} was issued`,
        };
      chainRoot = older;
    }
    try {
      await validateIdCert(idCert, chainRoot, { at: new Date(envelope.ts) });
    } catch (error) {
      if (error instanceof PolyprotoError) return { ok: false, outcome: "failed", reason: error.message };
      throw error;
    }
    if (!(await verifyEnvelope(idCert.publicKey, envelope, signature))) {
      return {
        ok: false,
        outcome: "failed",
        reason: `the signature does not verify with the key of cert ${cert.serial}`,
      };
    }
    return { ok: true, ...(cert.invalidatedAt !== undefined && { revokedAt: cert.invalidatedAt }) };
  }
}
