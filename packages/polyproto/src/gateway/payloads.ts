/**
 * The `d` of each `core` op [core §3.2.3, PROFILE §5] — types and decoders. Heartbeat (op 0) lives in
 * heartbeat.ts; Heartbeat ACK and Resumed (ops 7, 10) carry whole frames and live in envelope.ts.
 *
 * Each decoder takes the parsed JSON `d` and returns the canonical form we emit: spec field names,
 * numbers as JSON numbers, unknown keys dropped. It accepts what polyproto-rs writes (numbers as
 * decimal strings, `null` for absent options) and the spec's own variants where noted. Anything else
 * fails with `P2CORE_GATEWAY_INVALID_PAYLOAD` (close 4002).
 */
import { tryParseFederationId } from "../federationId.js";
import { isValidServiceName } from "../serviceName.js";
import { isValidSessionId } from "../sessionId.js";
import { failFrame } from "./errors.js";
import { isJsonObject, isPresent, type JsonObject, MAX_SEQUENCE_NUMBER, uintFrom } from "./fields.js";

/** Op 1 Hello [core §3.2.3.1]. */
export interface HelloPayload {
  /** Milliseconds between client heartbeats, 1 to 2^32 − 1. */
  heartbeatInterval: number;
  activeMigration?: ActiveMigration;
}

/** An unfinished identity migration the client may resume (clients must ask the user first). */
export interface ActiveMigration {
  from: string;
  to: string;
}

/** Op 2 Identify [core §3.2.3.2]. */
export interface IdentifyPayload {
  token: string;
}

/** Op 3 New Session [core §3.2.3.4]: the new session's ID-Cert, PEM. */
export interface NewSessionPayload {
  cert: string;
}

/**
 * Op 4 Actor Certificate Invalidation: a flattened CacheableIDCert (PROFILE §1, §5) whose
 * `invalidatedAt` is set. Times are UNIX seconds.
 */
export interface ActorCertificateInvalidationPayload {
  idCertPem: string;
  cacheNotValidBefore: number;
  cacheNotValidAfter: number;
  /** The home server's Ed25519 signature, lowercase hex. */
  cacheSignature: string;
  invalidatedAt?: number;
}

/** Op 5 Resume [core §3.2.3.6]: `s` is the last sequence number the client received. */
export interface ResumePayload {
  s: number;
  token: string;
}

/** Op 6 Server Certificate Change [core §3.2.3.7]. */
export interface ServerCertificateChangePayload {
  cert: string;
  /** UNIX seconds. */
  oldInvalidSince: number;
}

export type ServiceChannelAction = "subscribe" | "unsubscribe";

/** Op 8 Service Channel [core §3.2.3.3]: a client (un)subscribing, or the server closing a channel. */
export interface ServiceChannelPayload {
  action: ServiceChannelAction;
  service: string;
}

/** Op 9 Service Channel ACK [core §3.2.3.3]; `error` only when `success` is false. */
export interface ServiceChannelAckPayload {
  action: ServiceChannelAction;
  service: string;
  success: boolean;
  error?: string;
}

/** Op 11 Heartbeat Request [core §3.2.3.9]: carries nothing. */
export type HeartbeatRequestPayload = Record<string, never>;

/** Op 12 Ready (PROFILE §5). `services` are the services this server offers on the gateway. */
export interface ReadyPayload {
  /** The identified actor, lowercase. */
  fid: string;
  sessionId: string;
  services: string[];
}

const UINT32_MAX = 0xffff_ffff;

function invalid(message: string): never {
  failFrame("P2CORE_GATEWAY_INVALID_PAYLOAD", message);
}

function objectD(d: unknown, what: string): JsonObject {
  if (!isJsonObject(d)) invalid(`${what} d must be an object`);
  return d;
}

/**
 * The value of `key`, or of `alias` (a spelling found upstream) when `key` is absent. Both present
 * with different values is refused rather than guessed.
 */
function field(d: JsonObject, key: string, alias?: string): unknown {
  const value = d[key];
  if (alias === undefined || !isPresent(d[alias])) return value;
  if (isPresent(value) && value !== d[alias]) invalid(`${key} and ${alias} disagree`);
  return d[alias];
}

function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) invalid(`${what} must be a non-empty string`);
  return value;
}

function uint(value: unknown, what: string, max = MAX_SEQUENCE_NUMBER): number {
  const n = uintFrom(value, max);
  if (n === undefined) invalid(`${what} must be an integer from 0 to ${max} (number or decimal string)`);
  return n;
}

function serviceName(value: unknown, what: string): string {
  if (!isValidServiceName(value)) invalid(`${what} must be a service name ([a-z0-9_-]{2,64})`);
  return value;
}

function fid(value: unknown, what: string): string {
  const parsed = tryParseFederationId(value);
  if (!parsed) invalid(`${what} must be a federation ID`);
  return parsed.fid;
}

function action(value: unknown): ServiceChannelAction {
  if (value !== "subscribe" && value !== "unsubscribe")
    invalid('action must be "subscribe" or "unsubscribe"');
  return value;
}

/**
 * Accepts `heartbeatInterval` (PROFILE, spec table, polyproto-rs — which writes it as a string) and
 * `heartbeat_interval` (the spec's prose and its JSON example); likewise `activeMigration` and
 * `active_migration`.
 */
export function decodeHelloPayload(d: unknown): HelloPayload {
  const o = objectD(d, "Hello");
  const interval = field(o, "heartbeatInterval", "heartbeat_interval");
  if (interval === undefined) invalid("Hello d.heartbeatInterval is missing");
  const heartbeatInterval = uint(interval, "Hello d.heartbeatInterval", UINT32_MAX);
  if (heartbeatInterval === 0) invalid("Hello d.heartbeatInterval must be positive");
  const hello: HelloPayload = { heartbeatInterval };
  const migration = field(o, "activeMigration", "active_migration");
  if (isPresent(migration)) {
    const m = objectD(migration, "Hello activeMigration");
    hello.activeMigration = {
      from: fid(m.from, "activeMigration.from"),
      to: fid(m.to, "activeMigration.to"),
    };
  }
  return hello;
}

/** Extra keys are dropped: the spec says Identify may grow backwards-compatibly. */
export function decodeIdentifyPayload(d: unknown): IdentifyPayload {
  return { token: nonEmptyString(objectD(d, "Identify").token, "Identify d.token") };
}

export function decodeNewSessionPayload(d: unknown): NewSessionPayload {
  return { cert: nonEmptyString(objectD(d, "New Session").cert, "New Session d.cert") };
}

/**
 * The flattened CacheableIDCert of PROFILE §1. Times may be numbers or decimal strings. Also accepts
 * the spellings of core §3.2.3.5's example (`invalidAt`, `signature`). The older shape of the spec's
 * field table (`serial`, `invalidSince`, `signature` over serial and time, signed by the actor) is
 * refused: it lacks the home server's cache signature that PROFILE §5 relies on.
 */
export function decodeActorCertificateInvalidationPayload(d: unknown): ActorCertificateInvalidationPayload {
  const o = objectD(d, "Actor Certificate Invalidation");
  const what = "Actor Certificate Invalidation d";
  const signature = field(o, "cacheSignature", "signature");
  if (typeof signature !== "string" || !/^(?:[0-9a-f]{2})+$/.test(signature)) {
    invalid(`${what}.cacheSignature must be lowercase hex`);
  }
  const payload: ActorCertificateInvalidationPayload = {
    idCertPem: nonEmptyString(o.idCertPem, `${what}.idCertPem`),
    cacheNotValidBefore: uint(o.cacheNotValidBefore, `${what}.cacheNotValidBefore`),
    cacheNotValidAfter: uint(o.cacheNotValidAfter, `${what}.cacheNotValidAfter`),
    cacheSignature: signature,
  };
  const invalidatedAt = field(o, "invalidatedAt", "invalidAt");
  if (isPresent(invalidatedAt)) payload.invalidatedAt = uint(invalidatedAt, `${what}.invalidatedAt`);
  return payload;
}

/** `s` may be a number (spec) or a decimal string (polyproto-rs). */
export function decodeResumePayload(d: unknown): ResumePayload {
  const o = objectD(d, "Resume");
  return { s: uint(o.s, "Resume d.s"), token: nonEmptyString(o.token, "Resume d.token") };
}

/** `oldInvalidSince` may be a number (spec) or a decimal string (polyproto-rs). */
export function decodeServerCertificateChangePayload(d: unknown): ServerCertificateChangePayload {
  const o = objectD(d, "Server Certificate Change");
  return {
    cert: nonEmptyString(o.cert, "Server Certificate Change d.cert"),
    oldInvalidSince: uint(o.oldInvalidSince, "Server Certificate Change d.oldInvalidSince"),
  };
}

export function decodeServiceChannelPayload(d: unknown): ServiceChannelPayload {
  const o = objectD(d, "Service Channel");
  return { action: action(o.action), service: serviceName(o.service, "Service Channel d.service") };
}

/** `error: null` (polyproto-rs) counts as absent; an `error` next to `success: true` is dropped. */
export function decodeServiceChannelAckPayload(d: unknown): ServiceChannelAckPayload {
  const o = objectD(d, "Service Channel ACK");
  if (typeof o.success !== "boolean") invalid("Service Channel ACK d.success must be a boolean");
  const ack: ServiceChannelAckPayload = {
    action: action(o.action),
    service: serviceName(o.service, "Service Channel ACK d.service"),
    success: o.success,
  };
  if (!o.success && isPresent(o.error)) {
    if (typeof o.error !== "string") invalid("Service Channel ACK d.error must be a string");
    ack.error = o.error;
  }
  return ack;
}

/** Any object (its keys ignored), `null` or a missing `d` is the empty request. */
export function decodeHeartbeatRequestPayload(d: unknown): HeartbeatRequestPayload {
  if (isPresent(d)) objectD(d, "Heartbeat Request");
  return {};
}

export function decodeReadyPayload(d: unknown): ReadyPayload {
  const o = objectD(d, "Ready");
  if (!isValidSessionId(o.sessionId)) invalid("Ready d.sessionId must be a session ID");
  if (!Array.isArray(o.services)) invalid("Ready d.services must be an array of service names");
  return {
    fid: fid(o.fid, "Ready d.fid"),
    sessionId: o.sessionId,
    services: o.services.map((s, i) => serviceName(s, `Ready d.services[${i}]`)),
  };
}
