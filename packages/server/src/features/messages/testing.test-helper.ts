/**
 * Actors, guilds and signed writes for the message tests, through the real routes only: accounts
 * and logins on their home servers, key trials on foreign ones, guilds, channels, roles, overwrites,
 * invites and bans on the guild side, and envelopes signed as a client signs them.
 */
import assert from "node:assert/strict";
import {
  createEnvelope,
  Permission,
  createIdCsr,
  parseIdCert,
  type SignedEnvelope,
  SigningKey,
  signEnvelope,
  signKeyTrial,
} from "@p2chat/polyproto";
import { TestGatewayClient } from "../../gateway/testClient.test-helper.js";
import type { TestServer } from "../../testing.js";

export const PASSWORD = "correct horse battery staple";

/** Answers and events are read loosely in tests: the assertions say what the shape must be. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Loose = any;
export const CHAT = "/.p2/chat/v1";

/** An actor's session on one server: where it talks, as whom, with which key. */
export interface Actor {
  readonly fid: string;
  readonly sessionId: string;
  readonly serial: string;
  readonly key: SigningKey;
  readonly idCertPem: string;
  /** Bearer token on `server`. */
  readonly token: string;
  /** The server this session talks to (its home, or a foreign one after a key trial). */
  readonly server: TestServer;
  /** The actor's home server (where its certs are published). */
  readonly home: TestServer;
}

export interface Answer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

/** One JSON request as `actor` (or anonymous with `actor` undefined). */
export async function call<T = Loose>(
  server: TestServer,
  actor: Actor | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (actor) headers.authorization = `Bearer ${actor.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the text is the body
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** `call` on the actor's own server, under the chat base path. */
export function chat<T = Loose>(
  actor: Actor,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  return call<T>(actor.server, actor, method, `${CHAT}${path}`, body);
}

/** Asserts an answer's status (and error code), showing the body when it is not. */
export function expectStatus(answer: Answer, status: number, code?: string): void {
  assert.equal(
    answer.status,
    status,
    `expected ${status}${code ? ` ${code}` : ""}, got ${answer.status}: ${answer.text}`,
  );
  if (code !== undefined) assert.equal((answer.body as { error?: string }).error, code, answer.text);
}

let sessionCounter = 0;

/** Registers `localName` on `home` (once) and logs in a new session there. */
export async function localActor(home: TestServer, localName: string): Promise<Actor> {
  const post = (path: string, body: unknown) =>
    fetch(`${home.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await post("/.p2/auth/v1/register", { localName, password: PASSWORD });
  const key = await SigningKey.generate();
  const fid = `${localName}@${home.config.domain}`;
  const sessionId = `s${++sessionCounter}`;
  const csr = await createIdCsr({ signingKey: key, fid, sessionId });
  const res = await post("/.p2/auth/v1/login", { localName, password: PASSWORD, csr: csr.pem });
  assert.equal(res.status, 201, await res.clone().text());
  const { idCertPem, token } = (await res.json()) as { idCertPem: string; token: string };
  return {
    fid,
    sessionId,
    serial: (await parseIdCert(idCertPem)).serial,
    key,
    idCertPem,
    token,
    server: home,
    home,
  };
}

/** The same actor authenticated on `foreign` by key trial (core §4.1.1). */
export async function onForeignServer(actor: Actor, foreign: TestServer): Promise<Actor> {
  const challenge = (await call<{ challenge: string }>(foreign, undefined, "GET", "/.p2/core/v1/challenge"))
    .body.challenge;
  const signature = await signKeyTrial(actor.key, challenge);
  const auth = await call<{ token: string }>(foreign, undefined, "POST", "/.p2/core/v1/session/auth", {
    idCertPem: actor.idCertPem,
    challenge,
    signature,
  });
  expectStatus(auth, 200);
  return { ...actor, token: auth.body.token, server: foreign };
}

/** Builds and signs an envelope as a client does; `tamper` changes it after signing. */
export async function signed(
  actor: Actor,
  kind: string,
  to: string,
  body: Record<string, unknown>,
  options: { fields?: Partial<SignedEnvelope>; tamper?: (envelope: SignedEnvelope) => void } = {},
): Promise<{ envelope: SignedEnvelope; signature: string }> {
  const envelope = {
    ...createEnvelope({ kind, to, author: actor.fid, session: actor.sessionId, serial: actor.serial, body }),
    ...options.fields,
  };
  const signature = await signEnvelope(actor.key, envelope);
  options.tamper?.(envelope);
  return { envelope, signature };
}

export function channelAddress(server: TestServer, channelId: string): string {
  return `chat:channel:${server.config.domain}/${channelId}`;
}

/** Sends `content` to a channel as `actor`; returns the answer. */
export async function send(actor: Actor, channelId: string, body: Record<string, unknown> | string) {
  const write = await signed(
    actor,
    "chat.message",
    channelAddress(actor.server, channelId),
    typeof body === "string" ? { content: body } : body,
  );
  return chat(actor, "POST", `/channels/${channelId}/messages`, write);
}

/** A gateway connection of `actor`, identified and subscribed to `chat`. */
export async function listener(actor: Actor): Promise<TestGatewayClient> {
  const client = await TestGatewayClient.connect(actor.server);
  await client.identify(actor.token);
  client.send({ n: "core", op: 8, d: { action: "subscribe", service: "chat" } });
  await client.next((f) => f.n === "core" && f.op === 9);
  return client;
}

/** Chat events a listener received so far with this op. */
export function chatEvents(client: TestGatewayClient, op: number): Loose[] {
  return client.frames.filter((f) => f.n === "chat" && f.op === op).map((f) => f.d);
}

/** Waits until the listener received a chat event with `op` matching `match`. */
export async function nextChat(
  client: TestGatewayClient,
  op: number,
  match: (d: Loose) => boolean = () => true,
) {
  return (await client.next((f) => f.n === "chat" && f.op === op && match(f.d))).d as Loose;
}

/**
 * Two home servers and one guild: `b` (b.test) hosts the guild, `a` (a.test) is the home of the
 * foreign actors. On b: the owner; `member` (default permissions); `mod` (a role with MANAGE_MESSAGES
 * and MENTION_EVERYONE); `muted` (in #general, a member overwrite denying SEND_MESSAGES,
 * ADD_REACTIONS, ATTACH_FILES and READ_MESSAGE_HISTORY; #hidden hidden from them); `stranger` (no
 * member); `villain` (joined, then banned). From a: `alice` (member, by key trial on b) and `eve`
 * (key trial on b, no member).
 */
export interface World {
  readonly a: TestServer;
  readonly b: TestServer;
  readonly owner: Actor;
  readonly member: Actor;
  readonly mod: Actor;
  readonly muted: Actor;
  readonly stranger: Actor;
  readonly villain: Actor;
  readonly alice: Actor;
  readonly eve: Actor;
  readonly guildId: string;
  readonly general: string;
  readonly hidden: string;
  close(): Promise<void>;
}

export async function createWorld(
  start: (options: { env: Record<string, string> }) => Promise<TestServer>,
  bEnv: Record<string, string> = {},
): Promise<World> {
  const a = await start({ env: { P2_DOMAIN: "a.test" } });
  const b = await start({
    env: {
      P2_DOMAIN: "b.test",
      P2_PEERS: JSON.stringify({ "a.test": a.url }),
      P2_RATE_LIMITS: "off",
      ...bEnv,
    },
  });
  const [owner, member, mod, muted, stranger, villain] = await Promise.all(
    ["owner", "member", "mod", "muted", "stranger", "villain"].map((name) => localActor(b, name)),
  );
  const alice = await onForeignServer(await localActor(a, "alice"), b);
  const eve = await onForeignServer(await localActor(a, "eve"), b);
  const guild = await chat(owner!, "POST", "/guilds", { name: "The Guild" });
  expectStatus(guild, 201);
  const guildId = guild.body.id as string;
  const general = (await chat(owner!, "POST", `/guilds/${guildId}/channels`, { name: "general" })).body
    .id as string;
  const hidden = (await chat(owner!, "POST", `/guilds/${guildId}/channels`, { name: "hidden" })).body
    .id as string;
  const invite = await chat(owner!, "POST", `/channels/${general}/invites`, {});
  expectStatus(invite, 201);
  for (const joiner of [member!, mod!, muted!, villain!, alice]) {
    expectStatus(await chat(joiner, "POST", `/invites/${invite.body.code}`), 201);
  }
  const role = await chat(owner!, "POST", `/guilds/${guildId}/roles`, {
    name: "mod",
    permissions: String(Permission.MANAGE_MESSAGES | Permission.MENTION_EVERYONE),
  });
  expectStatus(role, 201);
  expectStatus(
    await chat(owner!, "PUT", `/guilds/${guildId}/members/${mod!.fid}/roles/${role.body.id}`),
    204,
  );
  const denied =
    Permission.SEND_MESSAGES |
    Permission.ADD_REACTIONS |
    Permission.ATTACH_FILES |
    Permission.READ_MESSAGE_HISTORY;
  expectStatus(
    await chat(owner!, "PUT", `/channels/${general}/overwrites/${muted!.fid}`, {
      type: "member",
      allow: "0",
      deny: String(denied),
    }),
    204,
  );
  expectStatus(
    await chat(owner!, "PUT", `/channels/${hidden}/overwrites/${muted!.fid}`, {
      type: "member",
      allow: "0",
      deny: String(Permission.VIEW_CHANNEL),
    }),
    204,
  );
  expectStatus(await chat(owner!, "PUT", `/guilds/${guildId}/bans/${villain!.fid}`, {}), 204);
  return {
    a,
    b,
    owner: owner!,
    member: member!,
    mod: mod!,
    muted: muted!,
    stranger: stranger!,
    villain: villain!,
    alice,
    eve,
    guildId,
    general,
    hidden,
    close: async () => {
      await b.close();
      await a.close();
    },
  };
}
