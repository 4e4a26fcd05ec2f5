/**
 * Who may do what on the message routes, over real HTTP with the real guild routes: every route ×
 * {owner, member with the permission, member without, non-member, foreign non-member, banned}. Nothing
 * leaks: outsiders get the same 404 for a real channel as for one that never existed, and their
 * gateway connections receive nothing of it. Rate limits: headers, 429 and Retry-After.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatOp } from "@p2chat/polyproto";
import type { TestGatewayClient } from "../../gateway/testClient.test-helper.js";
import { startTestServer, type TestServer } from "../../testing.js";
import {
  type Actor,
  type Answer,
  CHAT,
  channelAddress,
  chat,
  createWorld,
  expectStatus,
  listener,
  type Loose,
  localActor,
  send,
  signed,
  type World,
} from "./testing.test-helper.js";

let world: World;
const NOWHERE = "01JZZZZZZZZZZZZZZZZZZZZZZZ";

describe("authorization matrix", () => {
  let sockets: Map<string, TestGatewayClient>;
  let attachmentId: string;

  before(async () => {
    world = await createWorld(startTestServer);
    sockets = new Map();
    for (const actor of [world.muted, world.stranger, world.eve, world.villain]) {
      sockets.set(actor.fid, await listener(actor));
    }
    const upload = await fetch(`${world.b.url}${CHAT}/attachments`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.member.token}`, "content-type": "text/plain" },
      body: "attached",
    });
    attachmentId = ((await upload.json()) as { id: string }).id;
    expectStatus(
      await send(world.member, world.general, { content: "file", attachments: [attachmentId] }),
      201,
    );
  });
  after(async () => {
    for (const socket of sockets?.values() ?? []) socket.socket.terminate();
    await world?.close();
  });

  /** The actors of the matrix, in column order, with what each is. */
  const columns = () =>
    [
      ["owner", world.owner],
      ["member with the permission", world.mod],
      ["member without it", world.muted],
      ["non-member", world.stranger],
      ["foreign non-member", world.eve],
      ["banned", world.villain],
    ] as const;

  const messagePath = (id: string) => `/channels/${world.general}/messages/${id}`;
  const to = () => channelAddress(world.b, world.general);

  async function ownMessage(actor: Actor): Promise<string> {
    const sent = await send(actor, world.general, `by ${actor.fid}`);
    expectStatus(sent, 201);
    return sent.body.id;
  }

  /** Each row: the request an actor makes, and the status per column. */
  const rows: [string, (actor: Actor) => Promise<Answer<Loose>>, number[]][] = [
    ["POST messages", (actor) => send(actor, world.general, "hi"), [201, 201, 403, 404, 404, 404]],
    [
      "GET messages",
      (actor) => chat(actor, "GET", `/channels/${world.general}/messages`),
      [200, 200, 403, 404, 404, 404],
    ],
    [
      "PATCH message (own when they have one, else the owner's)",
      async (actor) => {
        const id =
          actor === world.owner || actor === world.mod
            ? await ownMessage(actor)
            : await ownMessage(world.owner);
        const edit = await signed(actor, "chat.edit", to(), { messageId: id, content: "edited" });
        return chat(actor, "PATCH", messagePath(id), edit);
      },
      [201, 201, 403, 404, 404, 404],
    ],
    [
      "DELETE another member's message",
      async (actor) => chat(actor, "DELETE", messagePath(await ownMessage(world.member))),
      [204, 204, 403, 404, 404, 404],
    ],
    [
      "PUT reaction",
      async (actor) => {
        const id = await ownMessage(world.member);
        const write = await signed(actor, "chat.reaction", to(), { messageId: id, emoji: "👀" });
        return chat(actor, "PUT", `${messagePath(id)}/reactions/${encodeURIComponent("👀")}`, write);
      },
      [201, 201, 403, 404, 404, 404],
    ],
    [
      "DELETE another member's reaction",
      async (actor) => {
        const id = await ownMessage(world.member);
        const path = `${messagePath(id)}/reactions/${encodeURIComponent("👀")}`;
        const write = await signed(world.member, "chat.reaction", to(), { messageId: id, emoji: "👀" });
        expectStatus(await chat(world.member, "PUT", path, write), 201);
        return chat(actor, "DELETE", `${path}?fid=${world.member.fid}`);
      },
      [204, 204, 403, 404, 404, 404],
    ],
    [
      "GET reactions",
      async (actor) => chat(actor, "GET", `${messagePath(await ownMessage(world.member))}/reactions/x`),
      [200, 200, 403, 404, 404, 404],
    ],
    [
      "PUT pin",
      async (actor) =>
        chat(actor, "PUT", `/channels/${world.general}/pins/${await ownMessage(world.member)}`),
      [204, 204, 403, 404, 404, 404],
    ],
    [
      "DELETE pin",
      async (actor) => {
        const id = await ownMessage(world.member);
        expectStatus(await chat(world.owner, "PUT", `/channels/${world.general}/pins/${id}`), 204);
        return chat(actor, "DELETE", `/channels/${world.general}/pins/${id}`);
      },
      [204, 204, 403, 404, 404, 404],
    ],
    [
      "GET pins",
      (actor) => chat(actor, "GET", `/channels/${world.general}/pins`),
      [200, 200, 403, 404, 404, 404],
    ],
    [
      "POST typing",
      (actor) => chat(actor, "POST", `/channels/${world.general}/typing`),
      [204, 204, 403, 404, 404, 404],
    ],
    [
      "POST ack",
      async (actor) =>
        chat(actor, "POST", `/channels/${world.general}/ack`, { messageId: await ownMessage(world.member) }),
      [200, 200, 200, 404, 404, 404],
    ],
    [
      "GET attachment of a message",
      (actor) => chat(actor, "GET", `/attachments/${attachmentId}`),
      [200, 200, 404, 404, 404, 404],
    ],
  ];

  for (const [name, request, expected] of rows) {
    it(name, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const [index, [who, actor]] of columns().entries()) {
        const answer = await request(actor);
        got.push(`${who}: ${answer.status}`);
        want.push(`${who}: ${expected[index]}`);
        if (answer.status === 404)
          assert.equal(answer.body.error, "P2CHAT_NOT_FOUND", `${who}: ${answer.text}`);
        if (answer.status === 403)
          assert.match(answer.body.error, /^P2CHAT_(MISSING_PERMISSION|NOT_AUTHOR)$/);
      }
      assert.deepEqual(got, want);
    });
  }

  it("answers outsiders for a real channel exactly as for one that never existed", async () => {
    const probes: [string, string, (channelId: string, actor: Actor) => Promise<unknown>][] = [
      [
        "POST",
        "/messages",
        async (channelId, actor) =>
          signed(actor, "chat.message", channelAddress(world.b, channelId), { content: "x" }),
      ],
      ["GET", "/messages", async () => undefined],
      ["GET", "/pins", async () => undefined],
      ["POST", "/typing", async () => undefined],
      ["POST", "/ack", async () => ({ messageId: NOWHERE })],
      ["DELETE", `/messages/${NOWHERE}`, async () => undefined],
    ];
    const cases: [Actor, string][] = [
      [world.stranger, world.general],
      [world.eve, world.general],
      [world.villain, world.general],
      [world.muted, world.hidden],
    ];
    for (const [actor, channelId] of cases) {
      for (const [method, suffix, body] of probes) {
        const real = await chat(
          actor,
          method,
          `/channels/${channelId}${suffix}`,
          await body(channelId, actor),
        );
        const none = await chat(actor, method, `/channels/${NOWHERE}${suffix}`, await body(NOWHERE, actor));
        assert.equal(real.status, 404, `${actor.fid} ${method} ${suffix}: ${real.text}`);
        assert.equal(real.text, none.text.replaceAll(NOWHERE, channelId), `${actor.fid} ${method} ${suffix}`);
      }
    }
  });

  it("lists no read state of a channel an actor cannot see", async () => {
    for (const actor of [world.stranger, world.eve, world.villain]) {
      const states = await chat(actor, "GET", "/users/@me/read-states");
      expectStatus(states, 200);
      assert.deepEqual(states.body, [], actor.fid);
    }
  });

  it("sends outsiders' gateway connections nothing of the channels they cannot see", async () => {
    const marker = await send(world.owner, world.hidden, "for the eyes of those who see #hidden");
    expectStatus(marker, 201);
    const last = await send(world.owner, world.general, "last");
    // The muted member sees #general (not #hidden): the last message arrives, and nothing of #hidden.
    const muted = sockets.get(world.muted.fid)!;
    await muted.next(
      (f) => f.n === "chat" && f.op === ChatOp.MessageCreate && (f.d as Loose).id === last.body.id,
    );
    const seen = (socket: TestGatewayClient) =>
      socket.frames.filter((f) => f.n === "chat").map((f) => f.d as Loose);
    assert.ok(seen(muted).every((d) => d.channelId !== world.hidden));
    assert.ok(seen(muted).some((d) => d.channelId === world.general));
    for (const actor of [world.stranger, world.eve, world.villain]) {
      const events = seen(sockets.get(actor.fid)!).filter(
        (d) => d.channelId === world.general || d.channelId === world.hidden,
      );
      assert.deepEqual(events, [], actor.fid);
    }
  });
});

describe("rate limits", () => {
  let server: TestServer;
  let sender: Actor;
  let channels: string[];

  before(async () => {
    server = await startTestServer({ env: { P2_DOMAIN: "rl.test" } });
    sender = await localActor(server, "sender");
    const guild = await chat(sender, "POST", "/guilds", { name: "busy" });
    channels = [];
    for (const name of ["one", "two"]) {
      channels.push((await chat(sender, "POST", `/guilds/${guild.body.id}/channels`, { name })).body.id);
    }
  });
  after(async () => server?.close());

  it("allows 5 messages per 5 s per channel, with headers; the 6th is 429 with Retry-After", async () => {
    const [one, two] = channels as [string, string];
    for (let i = 0; i < 5; i++) {
      const answer = await send(sender, one, `message ${i}`);
      expectStatus(answer, 201);
      assert.equal(answer.headers.get("x-ratelimit-limit"), "5");
      assert.equal(answer.headers.get("x-ratelimit-remaining"), String(4 - i));
      const reset = Number(answer.headers.get("x-ratelimit-reset"));
      assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 5.1, `reset ${reset}`);
    }
    const refused = await send(sender, one, "one too many");
    expectStatus(refused, 429, "P2CORE_RATE_LIMITED");
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get("x-ratelimit-remaining"), "0");
    // Another channel has its own window; history is not limited.
    expectStatus(await send(sender, two, "elsewhere"), 201);
    expectStatus(await chat(sender, "GET", `/channels/${one}/messages`), 200);
    assert.equal((await chat(sender, "GET", `/channels/${one}/messages`)).body.length, 5);
  });
});
