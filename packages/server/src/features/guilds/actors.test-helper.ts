/**
 * Actors for the guild tests: local ones (register + login on the guild's server) and foreign ones
 * (login on their home server, then a key trial on the guild's server, as foreign.test.ts does), each
 * with a small JSON client for the chat API.
 */
import assert from "node:assert/strict";
import { createIdCsr, SigningKey, signKeyTrial } from "@p2chat/polyproto";
import type { TestServer } from "../../testing.js";

export const PASSWORD = "long enough pw";
export const CHAT = "/.p2/chat/v1";

/** Answers are read loosely in tests: the schemas and the assertions check their shape. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any;

export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface Actor {
  readonly fid: string;
  readonly token: string;
  readonly foreign: boolean;
  /** A chat API request on `server` (path below /.p2/chat/v1); JSON in, JSON out. */
  call<T = Loose>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
}

function actorOn(server: TestServer, fid: string, token: string, foreign: boolean): Actor {
  return {
    fid,
    token,
    foreign,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${server.url}${CHAT}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  };
}

const post = (server: TestServer, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function login(server: TestServer, localName: string, sessionId: string) {
  await post(server, "/.p2/auth/v1/register", { localName, password: PASSWORD });
  const key = await SigningKey.generate();
  const fid = `${localName}@${server.config.domain}`;
  const csr = await createIdCsr({ signingKey: key, fid, sessionId });
  const res = await post(server, "/.p2/auth/v1/login", { localName, password: PASSWORD, csr: csr.pem });
  assert.equal(res.status, 201, await res.clone().text());
  const { token, idCertPem } = (await res.json()) as { token: string; idCertPem: string };
  return { fid, token, idCertPem, key };
}

/** An actor of `server` itself, logged in there. */
export async function localActor(server: TestServer, localName: string, sessionId = "s1"): Promise<Actor> {
  const { fid, token } = await login(server, localName, sessionId);
  return actorOn(server, fid, token, false);
}

/** An actor of `home`, authenticated on `server` by key trial (a foreign session there). */
export async function foreignActor(home: TestServer, server: TestServer, localName: string): Promise<Actor> {
  const { fid, idCertPem, key } = await login(home, localName, "s1");
  const { challenge } = (await (await fetch(`${server.url}/.p2/core/v1/challenge`)).json()) as {
    challenge: string;
  };
  const signature = await signKeyTrial(key, challenge);
  const res = await post(server, "/.p2/core/v1/session/auth", { idCertPem, challenge, signature });
  assert.equal(res.status, 200, await res.clone().text());
  const { token } = (await res.json()) as { token: string };
  return actorOn(server, fid, token, true);
}

/** Asserts the status (showing the body when it differs) and returns the body. */
export function expectStatus<T = Loose>(answer: Answer<T>, status: number, code?: string): T {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  if (code !== undefined) assert.equal((answer.body as { error?: string }).error, code);
  return answer.body;
}
