/**
 * Getting a session: login (a new Ed25519 key, its ID-CSR, `POST /.p2/auth/v1/login`, the answer
 * checked — the cert must be ours, for this session, and chain to the home server's root — then key,
 * cert and token stored), and resuming a stored session.
 */
import {
  createIdCsr,
  type IdCert,
  parseFederationId,
  parseIdCert,
  randomBytes,
  SigningKey,
  toHex,
  validateIdCert,
} from "@p2chat/polyproto";
import { login as loginRequest } from "../api/auth.js";
import { clientError, P2ClientError } from "../errors.js";
import type { ServerApi } from "../http/api.js";
import type { ClientStore } from "../store/store.js";
import type { RootCerts } from "../verify/rootCerts.js";
import type { SessionIdentity } from "./identity.js";

/** A session ID for a new device: 16 lowercase hex digits (PROFILE §1: 1–32 printable ASCII). */
export function newSessionId(): string {
  return toHex(randomBytes(8));
}

export interface LoginInput {
  readonly homeServer: string;
  readonly localName: string;
  readonly password: string;
  readonly sessionId?: string;
}

export interface LoggedIn {
  readonly identity: SessionIdentity;
  readonly token: string;
}

export async function loginSession(
  api: ServerApi,
  roots: RootCerts,
  store: ClientStore,
  input: LoginInput,
): Promise<LoggedIn> {
  let fid: string;
  let homeDomain: string;
  try {
    ({ fid, domain: homeDomain } = parseFederationId(`${input.localName}@${input.homeServer}`));
  } catch (error) {
    throw P2ClientError.from(error);
  }
  const sessionId = input.sessionId ?? newSessionId();
  const signingKey = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey, fid, sessionId }).catch((error: unknown) => {
    throw P2ClientError.from(error, homeDomain);
  });
  const answer = await loginRequest(api, homeDomain, {
    localName: fid.slice(0, fid.lastIndexOf("@")),
    password: input.password,
    csr: csr.pem,
  });
  const idCert = await checkIssuedCert(roots, homeDomain, answer.idCertPem, { fid, sessionId, signingKey });
  const identity: SessionIdentity = { fid, sessionId, homeDomain, signingKey, idCert };
  await store.saveSession({
    fid,
    sessionId,
    homeDomain,
    privateKey: signingKey.toPkcs8Der(),
    idCertPem: idCert.pem,
    savedAt: Date.now(),
  });
  await store.saveToken(fid, sessionId, homeDomain, answer.token);
  return { identity, token: answer.token };
}

/** The cert a home server issued for our CSR: ours (FID, session, key), valid, chaining to its root. */
export async function checkIssuedCert(
  roots: RootCerts,
  homeDomain: string,
  idCertPem: unknown,
  expected: { fid: string; sessionId: string; signingKey: SigningKey },
): Promise<IdCert> {
  const refuse = (why: string, cause?: unknown) =>
    clientError("P2CLIENT_INVALID_RESPONSE", `${homeDomain} issued an unusable ID-Cert: ${why}`, {
      cause,
      domain: homeDomain,
    });
  if (typeof idCertPem !== "string") throw refuse("no PEM in the answer");
  let idCert: IdCert;
  try {
    idCert = await parseIdCert(idCertPem);
  } catch (error) {
    throw refuse(error instanceof Error ? error.message : String(error), error);
  }
  if (idCert.fid !== expected.fid) throw refuse(`it is for ${idCert.fid ?? "no actor"}, not ${expected.fid}`);
  if (idCert.sessionId !== expected.sessionId)
    throw refuse(`it is for session ${idCert.sessionId}, not ${expected.sessionId}`);
  if (!idCert.publicKey.equals(expected.signingKey.publicKey)) throw refuse("it certifies another key");
  const { root } = await roots.current(homeDomain);
  try {
    await validateIdCert(idCert, root);
  } catch (error) {
    throw refuse(error instanceof Error ? error.message : String(error), error);
  }
  return idCert;
}

/** A stored session (the most recently saved one of `fid` when `sessionId` is absent). */
export async function resumeSession(
  store: ClientStore,
  fidInput: string,
  sessionIdInput?: string,
): Promise<SessionIdentity> {
  let fid: string;
  try {
    fid = parseFederationId(fidInput).fid;
  } catch (error) {
    throw P2ClientError.from(error);
  }
  const sessionId = sessionIdInput ?? (await store.listSessions(fid))[0]?.sessionId;
  const stored = sessionId === undefined ? undefined : await store.loadSession(fid, sessionId);
  if (!stored)
    throw clientError(
      "P2CLIENT_NO_SESSION",
      `no stored session of ${fid}${sessionIdInput ? ` named ${sessionIdInput}` : ""}`,
    );
  let signingKey: SigningKey;
  let idCert: IdCert;
  try {
    signingKey = await SigningKey.fromPkcs8Der(stored.privateKey);
    idCert = await parseIdCert(stored.idCertPem);
  } catch (error) {
    throw P2ClientError.from(error);
  }
  if (!idCert.publicKey.equals(signingKey.publicKey)) {
    throw clientError(
      "P2CLIENT_NO_SESSION",
      `the stored key and cert of ${fid}/${stored.sessionId} do not belong together`,
    );
  }
  if (idCert.notAfter.getTime() <= Date.now()) {
    throw new P2ClientError(
      0,
      "P2CORE_CERT_EXPIRED",
      `the ID-Cert of ${fid}/${stored.sessionId} expired at ${idCert.notAfter.toISOString()}: log in again`,
    );
  }
  return { fid, sessionId: stored.sessionId, homeDomain: stored.homeDomain, signingKey, idCert };
}
