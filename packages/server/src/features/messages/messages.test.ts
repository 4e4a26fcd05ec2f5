/**
 * The message side over real HTTP and WebSocket, with the real guild routes: two home servers (b.test
 * hosts the guild, alice comes from a.test by key trial). Integrity of signed writes, replays, client-side
 * re-verification of everything stored, history paging, edits, deletion, reactions, pins, typing, read
 * states, encrypted channels, system messages and attachments.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ChatOp,
  envelopeSigningBytes,
  parseIdCert,
  Permission,
  SIGNED_MESSAGE_PREFIX,
  type SignedEnvelope,
  SigningKey,
  signEnvelope,
  utf8,
  verifyEnvelope,
} from "@p2chat/polyproto";
import type { TestGatewayClient } from "../../gateway/testClient.test-helper.js";
import { startTestServer } from "../../testing.js";
import {
  type Actor,
  CHAT,
  call,
  channelAddress,
  chat,
  chatEvents,
  createWorld,
  expectStatus,
  listener,
  type Loose,
  nextChat,
  send,
  signed,
  type World,
} from "./testing.test-helper.js";

let world: World;
/** Gateway connections: the member (in #general), the stranger (no member). */
let memberSocket: TestGatewayClient;
let strangerSocket: TestGatewayClient;

before(async () => {
  world = await createWorld(startTestServer, { P2_ATTACHMENT_MAX_BYTES: "4096" });
  memberSocket = await listener(world.member);
  strangerSocket = await listener(world.stranger);
});
after(async () => {
  memberSocket?.socket.terminate();
  strangerSocket?.socket.terminate();
  await world?.close();
});

const to = (channelId: string) => channelAddress(world.b, channelId);
const messagesOf = (channelId: string) => `/channels/${channelId}/messages`;

/** A fresh text channel of the guild (everyone in it with default permissions). */
async function newChannel(name: string): Promise<string> {
  const created = await chat(world.owner, "POST", `/guilds/${world.guildId}/channels`, { name });
  expectStatus(created, 201);
  return created.body.id;
}

async function history(actor: Actor, channelId: string, query = ""): Promise<Loose[]> {
  const answer = await chat(actor, "GET", `${messagesOf(channelId)}${query}`);
  expectStatus(answer, 200);
  return answer.body;
}

/** What a client does with a stored message: fetch the author's cert from their home server, verify. */
async function verifiesClientSide(envelope: SignedEnvelope, signature: string): Promise<boolean> {
  const home = envelope.author.endsWith("@a.test") ? world.a : world.b;
  const certs = await call<{ idCertPem: string }[]>(
    home,
    undefined,
    "GET",
    `/.p2/core/v1/idcert/actor/${envelope.author}`,
  );
  expectStatus(certs, 200);
  for (const cacheable of certs.body) {
    const cert = await parseIdCert(cacheable.idCertPem);
    if (cert.serial !== envelope.serial) continue;
    assert.equal(cert.fid, envelope.author);
    assert.equal(cert.sessionId, envelope.session);
    return verifyEnvelope(cert.publicKey, envelope, signature);
  }
  return false;
}

describe("sending", () => {
  it("stores a signed message and answers 201 with the Message shape, envelope unchanged", async () => {
    const write = await signed(world.member, "chat.message", to(world.general), {
      content: "hello, world ✓",
    });
    const answer = await chat(world.member, "POST", messagesOf(world.general), write);
    expectStatus(answer, 201);
    const message = answer.body;
    assert.deepEqual(Object.keys(message), [
      "id",
      "channelId",
      "envelope",
      "signature",
      "receivedAt",
      "reactions",
      "pinned",
      "system",
    ]);
    assert.match(message.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(message.channelId, world.general);
    assert.deepEqual(message.envelope, write.envelope);
    assert.equal(message.signature, write.signature);
    assert.ok(Math.abs(message.receivedAt - Date.now()) < 10_000);
    assert.deepEqual(message.reactions, []);
    assert.equal(message.pinned, false);
    assert.equal(message.system, false);
    // JCS of the envelope as served reproduces the signed bytes; the answer holds that text verbatim.
    const signedText = new TextDecoder().decode(envelopeSigningBytes(write.envelope));
    assert.equal(new TextDecoder().decode(envelopeSigningBytes(message.envelope)), signedText);
    assert.ok(answer.text.includes(`"envelope":${signedText.slice(SIGNED_MESSAGE_PREFIX.length)}`));
    assert.ok(await verifiesClientSide(message.envelope, message.signature));
    // MessageCreate (chat op 0) carries the same Message to those who see the channel, not to others.
    const event = await nextChat(memberSocket, ChatOp.MessageCreate, (d) => d.id === message.id);
    assert.deepEqual(event, message);
    assert.equal(
      chatEvents(strangerSocket, ChatOp.MessageCreate).length,
      0,
      "no chat event reaches a non-member",
    );
  });

  it("accepts a foreign actor's message signed with the key of the cert it proved on key trial", async () => {
    const answer = await send(world.alice, world.general, "hi from a.test");
    expectStatus(answer, 201);
    assert.equal(answer.body.envelope.author, "alice@a.test");
    assert.ok(await verifiesClientSide(answer.body.envelope, answer.body.signature));
  });

  it("refuses every envelope that is not the caller's, not for this channel, stale or badly signed", async () => {
    const channel = await newChannel("integrity");
    const member = world.member;
    const address = to(channel);
    const post = (write: unknown, actor: Actor = member) => chat(actor, "POST", messagesOf(channel), write);
    const other = await SigningKey.generate();
    const cases: [string, Promise<unknown>, number, string][] = [
      [
        "signature by another key",
        signed({ ...member, key: other }, "chat.message", address, { content: "x" }),
        403,
        "P2CHAT_BAD_SIGNATURE",
      ],
      [
        "content changed after signing",
        signed(member, "chat.message", address, { content: "x" }, { tamper: (e) => (e.body.content = "y") }),
        403,
        "P2CHAT_BAD_SIGNATURE",
      ],
      [
        "another author",
        signed(member, "chat.message", address, { content: "x" }, { fields: { author: world.mod.fid } }),
        403,
        "P2CORE_ENVELOPE_WRONG_AUTHOR",
      ],
      [
        "another session",
        signed(member, "chat.message", address, { content: "x" }, { fields: { session: "elsewhere" } }),
        403,
        "P2CORE_ENVELOPE_WRONG_SESSION",
      ],
      [
        "another serial",
        signed(member, "chat.message", address, { content: "x" }, { fields: { serial: "12345" } }),
        403,
        "P2CORE_ENVELOPE_WRONG_SESSION",
      ],
      [
        "another channel's address",
        signed(member, "chat.message", to(world.general), { content: "x" }),
        400,
        "P2CORE_ENVELOPE_WRONG_ADDRESS",
      ],
      [
        "another server's address",
        signed(member, "chat.message", `chat:channel:a.test/${channel}`, { content: "x" }),
        400,
        "P2CORE_ENVELOPE_WRONG_ADDRESS",
      ],
      [
        "another kind",
        signed(member, "chat.edit", address, { content: "x" }),
        400,
        "P2CORE_ENVELOPE_WRONG_KIND",
      ],
      [
        "ts 6 minutes old",
        signed(
          member,
          "chat.message",
          address,
          { content: "x" },
          { fields: { ts: Date.now() - 6 * 60_000 } },
        ),
        400,
        "P2CORE_ENVELOPE_STALE",
      ],
      [
        "ts 6 minutes ahead",
        signed(
          member,
          "chat.message",
          address,
          { content: "x" },
          { fields: { ts: Date.now() + 6 * 60_000 } },
        ),
        400,
        "P2CORE_ENVELOPE_STALE",
      ],
      [
        "an extra envelope key",
        signed(
          member,
          "chat.message",
          address,
          { content: "x" },
          { tamper: (e) => Object.assign(e, { extra: 1 }) },
        ),
        400,
        "P2CORE_INVALID_ENVELOPE",
      ],
      [
        "an uppercase FID",
        signed(
          member,
          "chat.message",
          address,
          { content: "x" },
          { fields: { author: member.fid.toUpperCase() } },
        ),
        400,
        "P2CORE_INVALID_ENVELOPE",
      ],
      [
        "a short nonce",
        signed(member, "chat.message", address, { content: "x" }, { fields: { nonce: "abc" } }),
        400,
        "P2CORE_INVALID_ENVELOPE",
      ],
      ["no content", signed(member, "chat.message", address, {}), 400, "P2CORE_INVALID_ENVELOPE"],
      [
        "content of 4,001 characters",
        signed(member, "chat.message", address, { content: "é".repeat(4001) }),
        400,
        "P2CHAT_CONTENT_TOO_LONG",
      ],
      [
        "mls in a plaintext channel",
        signed(member, "chat.message", address, { mls: "AAAA" }),
        400,
        "P2CHAT_NOT_ENCRYPTED",
      ],
      [
        "a reply to a message of another channel",
        signed(member, "chat.message", address, { content: "x", replyTo: "01JZZZZZZZZZZZZZZZZZZZZZZZ" }),
        400,
        "P2CHAT_INVALID_REPLY",
      ],
      [
        "@everyone without MENTION_EVERYONE",
        signed(member, "chat.message", address, { content: "x", mentionEveryone: true }),
        403,
        "P2CHAT_MISSING_PERMISSION",
      ],
    ];
    for (const [name, write, status, code] of cases) {
      const answer = await post(await write);
      assert.equal(answer.status, status, `${name}: ${answer.text}`);
      assert.equal(answer.body.error, code, `${name}: ${answer.text}`);
    }
    // Uppercase hex is not the wire form: it does not verify.
    const upper = await signed(member, "chat.message", address, { content: "x" });
    expectStatus(
      await post({ ...upper, signature: upper.signature.toUpperCase() }),
      403,
      "P2CHAT_BAD_SIGNATURE",
    );
    expectStatus(await post({ envelope: upper.envelope }), 400, "P2CORE_INVALID_REQUEST");
    expectStatus(await post({ envelope: "text", signature: upper.signature }), 400, "P2CORE_INVALID_REQUEST");
    // 4,000 characters (code points, even when each is two UTF-16 units) is fine.
    expectStatus(await send(member, channel, "😀".repeat(4000)), 201);
    assert.equal((await history(world.owner, channel)).length, 1, "only the valid message was stored");
  });

  it("stores a repeated nonce once: a retry answers 200 with the stored message", async () => {
    const channel = await newChannel("replays");
    const write = await signed(world.member, "chat.message", to(channel), { content: "once" });
    const first = await chat(world.member, "POST", messagesOf(channel), write);
    expectStatus(first, 201);
    const retry = await chat(world.member, "POST", messagesOf(channel), write);
    expectStatus(retry, 200);
    assert.deepEqual(retry.body, first.body);
    // Concurrent retries of a new message: one 201, the rest 200, one message.
    const burst = await signed(world.member, "chat.message", to(channel), { content: "burst" });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => chat(world.member, "POST", messagesOf(channel), burst)),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
    // The same nonce for another message: refused.
    const reuse = await signed(
      world.member,
      "chat.message",
      to(channel),
      { content: "other" },
      {
        fields: { nonce: write.envelope.nonce },
      },
    );
    expectStatus(await chat(world.member, "POST", messagesOf(channel), reuse), 409, "P2CHAT_NONCE_REUSED");
    // Another author may use the same nonce.
    const theirs = await signed(
      world.mod,
      "chat.message",
      to(channel),
      { content: "mine" },
      {
        fields: { nonce: write.envelope.nonce },
      },
    );
    expectStatus(await chat(world.mod, "POST", messagesOf(channel), theirs), 201);
    assert.equal((await history(world.owner, channel)).length, 3);
  });

  it("answers a retry of a stored message 200 even when its ts is no longer fresh", async () => {
    const channel = await newChannel("late-retry");
    const ts = Date.now() - 4 * 60_000 - 59_000;
    const write = await signed(
      world.member,
      "chat.message",
      to(channel),
      { content: "late" },
      { fields: { ts } },
    );
    expectStatus(await chat(world.member, "POST", messagesOf(channel), write), 201);
    // A server clock 2 minutes later sees the same write as stale, yet it is the stored message.
    const stored = await world.b.app.services.messages.create(
      (await world.b.app.services.sessions.resolve(world.member.token))!,
      channel,
      write,
      Date.now() + 2 * 60_000,
    );
    assert.equal(stored.created, false);
    const fresh = await signed(
      world.member,
      "chat.message",
      to(channel),
      { content: "new" },
      { fields: { ts } },
    );
    await assert.rejects(
      world.b.app.services.messages.create(
        (await world.b.app.services.sessions.resolve(world.member.token))!,
        channel,
        fresh,
        Date.now() + 2 * 60_000,
      ),
      { code: "P2CORE_ENVELOPE_STALE" },
    );
  });

  it("keeps mentions and replies; a mod may mention @everyone", async () => {
    const channel = await newChannel("mentions");
    const first = await send(world.member, channel, "first");
    const reply = await send(world.mod, channel, {
      content: "@everyone look",
      replyTo: first.body.id,
      mentions: [world.member.fid, world.mod.fid],
      mentionEveryone: true,
    });
    expectStatus(reply, 201);
    assert.equal(reply.body.envelope.body.replyTo, first.body.id);
    expectStatus(
      await send(world.member, channel, { content: "x", mentions: ["Not A Fid"] }),
      400,
      "P2CORE_INVALID_ENVELOPE",
    );
  });
});

describe("history", () => {
  let channel: string;
  let ids: string[];

  before(async () => {
    channel = await newChannel("history");
    ids = [];
    for (let i = 0; i < 13; i++) {
      const answer = await send(i % 2 ? world.member : world.alice, channel, `message ${i}`);
      expectStatus(answer, 201);
      ids.push(answer.body.id);
    }
  });

  it("pages backwards with before until the start", async () => {
    const seen: string[] = [];
    let before = "";
    for (;;) {
      const page = await history(world.member, channel, `?limit=5${before}`);
      if (page.length === 0) break;
      assert.ok(page.length <= 5);
      seen.push(...page.map((m) => m.id));
      before = `&before=${page[page.length - 1].id}`;
    }
    assert.deepEqual(seen, [...ids].reverse());
  });

  it("pages forwards with after until the end (each page newest first)", async () => {
    const seen: string[] = [];
    let after = ids[0]!;
    for (;;) {
      const page = await history(world.member, channel, `?limit=4&after=${after}`);
      if (page.length === 0) break;
      const oldestFirst = page.map((m) => m.id).reverse();
      seen.push(...oldestFirst);
      after = oldestFirst[oldestFirst.length - 1]!;
    }
    assert.deepEqual(seen, ids.slice(1));
  });

  it("answers around a message: it, older ones and newer ones; the default page is 50", async () => {
    const around = (await history(world.member, channel, `?limit=5&around=${ids[6]}`)).map((m) => m.id);
    assert.deepEqual(around, [ids[8], ids[7], ids[6], ids[5], ids[4]]);
    const atStart = (await history(world.member, channel, `?limit=4&around=${ids[0]}`)).map((m) => m.id);
    assert.deepEqual(atStart, [ids[2], ids[1], ids[0]]);
    assert.equal((await history(world.member, channel)).length, 13);
    const full = await history(world.member, world.general, "?limit=100");
    assert.ok(full.length > 0 && full.length <= 100);
  });

  it("refuses limits outside 1–100 and several anchors at once", async () => {
    for (const query of ["?limit=0", "?limit=101", "?limit=x", `?before=${ids[3]}&after=${ids[1]}`]) {
      expectStatus(await chat(world.member, "GET", `${messagesOf(channel)}${query}`), 400);
    }
  });

  it("every stored message re-verifies client-side from its envelope and signature", async () => {
    const page = await history(world.member, channel, "?limit=100");
    assert.equal(page.length, 13);
    for (const message of page)
      assert.ok(await verifiesClientSide(message.envelope, message.signature), message.id);
  });
});

describe("edits and deletion", () => {
  it("lets the author edit with a signed chat.edit; repeats answer 200; older edits are refused", async () => {
    const channel = await newChannel("edits");
    const original = (await send(world.member, channel, "tpyo")).body;
    const edit = await signed(world.member, "chat.edit", to(channel), {
      messageId: original.id,
      content: "typo",
    });
    const path = `${messagesOf(channel)}/${original.id}`;
    const edited = await chat(world.member, "PATCH", path, edit);
    expectStatus(edited, 201);
    assert.deepEqual(edited.body.edit, { envelope: edit.envelope, signature: edit.signature });
    assert.deepEqual(edited.body.envelope, original.envelope, "the original stays as signed");
    assert.ok(await verifiesClientSide(edited.body.edit.envelope, edited.body.edit.signature));
    const update = await nextChat(memberSocket, ChatOp.MessageUpdate, (d) => d.id === original.id);
    assert.deepEqual(update, {
      id: original.id,
      channelId: channel,
      guildId: world.guildId,
      edit: { envelope: edit.envelope, signature: edit.signature },
    });
    expectStatus(await chat(world.member, "PATCH", path, edit), 200);
    const older = await signed(
      world.member,
      "chat.edit",
      to(channel),
      { messageId: original.id, content: "old" },
      {
        fields: { ts: edit.envelope.ts - 1000 },
      },
    );
    expectStatus(await chat(world.member, "PATCH", path, older), 409, "P2CHAT_EDIT_OUTDATED");
    const wrongId = await signed(world.member, "chat.edit", to(channel), {
      messageId: "01ABC",
      content: "x",
    });
    expectStatus(await chat(world.member, "PATCH", path, wrongId), 400, "P2CORE_INVALID_ENVELOPE");
    const asMessage = await signed(world.member, "chat.message", to(channel), {
      messageId: original.id,
      content: "x",
    });
    expectStatus(await chat(world.member, "PATCH", path, asMessage), 400, "P2CORE_ENVELOPE_WRONG_KIND");
    const byMod = await signed(world.mod, "chat.edit", to(channel), {
      messageId: original.id,
      content: "mod",
    });
    expectStatus(await chat(world.mod, "PATCH", path, byMod), 403, "P2CHAT_NOT_AUTHOR");
    const [stored] = await history(world.owner, channel);
    assert.equal(stored.edit.envelope.body.content, "typo");
  });

  it("deletes for the author or MANAGE_MESSAGES; a deleted message is gone everywhere", async () => {
    const channel = await newChannel("deletion");
    const mine = (await send(world.member, channel, "mine")).body;
    const theirs = (await send(world.owner, channel, "theirs")).body;
    expectStatus(
      await chat(world.member, "DELETE", `${messagesOf(channel)}/${theirs.id}`),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    expectStatus(await chat(world.member, "DELETE", `${messagesOf(channel)}/${mine.id}`), 204);
    const deleted = await nextChat(memberSocket, ChatOp.MessageDelete, (d) => d.id === mine.id);
    assert.deepEqual(deleted, { id: mine.id, channelId: channel, guildId: world.guildId });
    expectStatus(await chat(world.mod, "DELETE", `${messagesOf(channel)}/${theirs.id}`), 204);
    expectStatus(
      await chat(world.member, "DELETE", `${messagesOf(channel)}/${mine.id}`),
      404,
      "P2CHAT_NOT_FOUND",
    );
    assert.deepEqual(await history(world.owner, channel), []);
    const edit = await signed(world.member, "chat.edit", to(channel), { messageId: mine.id, content: "x" });
    expectStatus(await chat(world.member, "PATCH", `${messagesOf(channel)}/${mine.id}`, edit), 404);
    // A replay of the deleted message's write does not bring it back.
    const replay = { envelope: mine.envelope, signature: mine.signature };
    expectStatus(await chat(world.member, "POST", messagesOf(channel), replay), 409, "P2CHAT_NONCE_REUSED");
    // A message of another channel is unknown under this one.
    const elsewhere = (await send(world.member, world.general, "elsewhere")).body;
    expectStatus(await chat(world.member, "DELETE", `${messagesOf(channel)}/${elsewhere.id}`), 404);
  });
});

describe("reactions and pins", () => {
  it("adds signed reactions, counts them per viewer, lists the signed reactions, removes them", async () => {
    const channel = await newChannel("reactions");
    const message = (await send(world.owner, channel, "react to me")).body;
    const emoji = "🎉";
    const path = `${messagesOf(channel)}/${message.id}/reactions/${encodeURIComponent(emoji)}`;
    const react = (actor: Actor, body = { messageId: message.id, emoji }) =>
      signed(actor, "chat.reaction", to(channel), body).then((w) => chat(actor, "PUT", path, w));
    const first = await react(world.member);
    expectStatus(first, 201);
    assert.deepEqual(first.body, { emoji, count: 1, me: true });
    const added = await nextChat(memberSocket, ChatOp.ReactionAdd, (d) => d.messageId === message.id);
    assert.equal(added.fid, world.member.fid);
    assert.equal(added.count, 1);
    assert.ok(await verifiesClientSide(added.envelope, added.signature));
    expectStatus(await react(world.member), 200);
    expectStatus(await react(world.alice), 201);
    expectStatus(
      await react(world.mod, { messageId: message.id, emoji: "👍" }),
      400,
      "P2CORE_INVALID_ENVELOPE",
    );
    const [seenByMember] = await history(world.member, channel);
    assert.deepEqual(seenByMember.reactions, [{ emoji, count: 2, me: true }]);
    const [seenByOwner] = await history(world.owner, channel);
    assert.deepEqual(seenByOwner.reactions, [{ emoji, count: 2, me: false }]);
    const reactors = await chat(world.owner, "GET", path);
    expectStatus(reactors, 200);
    assert.deepEqual(
      reactors.body.map((r: Loose) => r.fid),
      [world.alice.fid, world.member.fid].sort(),
    );
    for (const r of reactors.body) assert.ok(await verifiesClientSide(r.envelope, r.signature));
    expectStatus(await chat(world.member, "DELETE", path), 204);
    const removed = await nextChat(memberSocket, ChatOp.ReactionRemove, (d) => d.messageId === message.id);
    assert.deepEqual(removed, {
      channelId: channel,
      guildId: world.guildId,
      messageId: message.id,
      emoji,
      fid: world.member.fid,
      count: 1,
    });
    expectStatus(await chat(world.member, "DELETE", path), 204);
    expectStatus(
      await chat(world.member, "DELETE", `${path}?fid=${world.alice.fid}`),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    expectStatus(await chat(world.mod, "DELETE", `${path}?fid=${world.alice.fid}`), 204);
    const [after] = await history(world.member, channel);
    assert.deepEqual(after.reactions, []);
  });

  it("pins with MANAGE_MESSAGES, lists pins newest first, announces ChannelPinsUpdate", async () => {
    const channel = await newChannel("pins");
    const one = (await send(world.member, channel, "one")).body;
    const two = (await send(world.member, channel, "two")).body;
    const pin = (actor: Actor, id: string, method = "PUT") =>
      chat(actor, method, `/channels/${channel}/pins/${id}`);
    expectStatus(await pin(world.member, one.id), 403, "P2CHAT_MISSING_PERMISSION");
    expectStatus(await pin(world.mod, one.id), 204);
    const update = await nextChat(memberSocket, ChatOp.ChannelPinsUpdate, (d) => d.messageId === one.id);
    assert.equal(update.pinned, true);
    assert.equal(update.channelId, channel);
    assert.equal(typeof update.lastPinAt, "number");
    expectStatus(await pin(world.owner, two.id), 204);
    expectStatus(await pin(world.owner, two.id), 204);
    const pins = await chat(world.member, "GET", `/channels/${channel}/pins`);
    expectStatus(pins, 200);
    assert.deepEqual(
      pins.body.map((m: Loose) => [m.id, m.pinned]),
      [
        [two.id, true],
        [one.id, true],
      ],
    );
    expectStatus(await pin(world.mod, two.id, "DELETE"), 204);
    const unpinned = await nextChat(
      memberSocket,
      ChatOp.ChannelPinsUpdate,
      (d) => d.messageId === two.id && !d.pinned,
    );
    assert.equal(unpinned.lastPinAt, update.lastPinAt);
    expectStatus(await pin(world.mod, "01JZZZZZZZZZZZZZZZZZZZZZZZ"), 404, "P2CHAT_NOT_FOUND");
    assert.deepEqual((await chat(world.member, "GET", `/channels/${channel}/pins`)).body.length, 1);
  });
});

describe("typing and read states", () => {
  it("announces typing to the channel", async () => {
    expectStatus(await chat(world.alice, "POST", `/channels/${world.general}/typing`), 204);
    const typing = await nextChat(memberSocket, ChatOp.TypingStart, (d) => d.fid === world.alice.fid);
    assert.equal(typing.channelId, world.general);
    assert.equal(typing.guildId, world.guildId);
    assert.ok(Math.abs(typing.timestamp - Date.now()) < 10_000);
    expectStatus(await chat(world.muted, "POST", `/channels/${world.general}/typing`), 403);
  });

  it("counts unread messages and mentions; acks move the read state and reach only the reader", async () => {
    const channel = await newChannel("unread");
    const reader = world.member;
    const ownerSocket = await listener(world.owner);
    try {
      const first = (await send(world.owner, channel, "one")).body;
      await send(reader, channel, "my own");
      await send(world.owner, channel, { content: "hey", mentions: [reader.fid] });
      await send(world.mod, channel, { content: "all", mentionEveryone: true });
      const last = (await send(world.alice, channel, "four")).body;
      // Mentioned by FID: listed before any ack.
      let states = (await chat(reader, "GET", "/users/@me/read-states")).body as Loose[];
      assert.deepEqual(
        states.find((s) => s.channelId === channel),
        {
          channelId: channel,
          guildId: world.guildId,
          lastReadId: null,
          lastMessageId: last.id,
          unreadCount: 4,
          mentionCount: 2,
        },
      );
      const acked = await chat(reader, "POST", `/channels/${channel}/ack`, { messageId: first.id });
      expectStatus(acked, 200);
      assert.deepEqual(acked.body, {
        channelId: channel,
        guildId: world.guildId,
        lastReadId: first.id,
        lastMessageId: last.id,
        unreadCount: 3,
        mentionCount: 2,
      });
      const event = await nextChat(memberSocket, ChatOp.ReadStateUpdate, (d) => d.channelId === channel);
      assert.deepEqual(event, acked.body);
      expectStatus(await chat(reader, "POST", `/channels/${channel}/ack`, { messageId: last.id }), 200);
      states = (await chat(reader, "GET", "/users/@me/read-states")).body;
      const state = states.find((s) => s.channelId === channel);
      assert.equal(state.unreadCount, 0);
      assert.equal(state.mentionCount, 0);
      expectStatus(
        await chat(reader, "POST", `/channels/${channel}/ack`, { messageId: "01JZZZZZZZZZZZZZZZZZZZZZZZ" }),
        404,
      );
      expectStatus(await chat(reader, "POST", `/channels/${channel}/ack`, {}), 400);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(
        chatEvents(ownerSocket, ChatOp.ReadStateUpdate).length,
        0,
        "another actor's read state is nobody else's business",
      );
    } finally {
      ownerSocket.socket.terminate();
    }
  });

  it("drops channels the reader can no longer see", async () => {
    const channel = await newChannel("going-private");
    const message = (await send(world.owner, channel, { content: "psst", mentions: [world.member.fid] }))
      .body;
    expectStatus(
      await chat(world.member, "POST", `/channels/${channel}/ack`, { messageId: message.id }),
      200,
    );
    expectStatus(
      await chat(world.owner, "PUT", `/channels/${channel}/overwrites/${world.member.fid}`, {
        type: "member",
        allow: "0",
        deny: String(Permission.VIEW_CHANNEL),
      }),
      204,
    );
    const states = (await chat(world.member, "GET", "/users/@me/read-states")).body as Loose[];
    assert.equal(
      states.find((s) => s.channelId === channel),
      undefined,
    );
    expectStatus(
      await chat(world.member, "POST", `/channels/${channel}/ack`, { messageId: message.id }),
      404,
    );
  });
});

describe("encrypted channels and system messages", () => {
  it("requires {mls} once a channel is encrypted", async () => {
    const channel = await newChannel("secret");
    expectStatus(await chat(world.owner, "PATCH", `/channels/${channel}`, { encrypted: true }), 200);
    expectStatus(await send(world.member, channel, "plain"), 400, "P2CHAT_ENCRYPTION_REQUIRED");
    expectStatus(await send(world.member, channel, { mls: "not base64!" }), 400, "P2CORE_INVALID_ENVELOPE");
    const sent = await send(world.member, channel, { mls: "AAECAwQ=" });
    expectStatus(sent, 201);
    const edit = await signed(world.member, "chat.edit", to(channel), {
      messageId: sent.body.id,
      content: "x",
    });
    expectStatus(
      await chat(world.member, "PATCH", `${messagesOf(channel)}/${sent.body.id}`, edit),
      400,
      "P2CHAT_ENCRYPTION_REQUIRED",
    );
  });

  it("stores system messages authored by the server, marked as such", async () => {
    const channel = await newChannel("system");
    const record = await world.b.app.services.messages.postSystem(channel, `channel:${channel}`, {
      type: "member.joined",
      fid: world.member.fid,
    });
    const event = await nextChat(memberSocket, ChatOp.MessageCreate, (d) => d.id === record.id);
    assert.equal(event.system, true);
    const [stored] = await history(world.member, channel);
    assert.deepEqual(stored, event);
    assert.equal(stored.signature, "");
    assert.equal(stored.envelope.kind, "chat.system");
    assert.equal(stored.envelope.to, to(channel));
    assert.deepEqual(stored.envelope.body, { type: "member.joined", fid: world.member.fid });
  });
});

describe("attachments", () => {
  const upload = (actor: Actor, body: Uint8Array<ArrayBuffer> | string, type = "image/png", query = "") =>
    fetch(`${actor.server.url}${CHAT}/attachments${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${actor.token}`, "content-type": type },
      body,
    });
  const download = (actor: Actor | undefined, id: string) =>
    fetch(`${world.b.url}${CHAT}/attachments/${id}`, {
      headers: actor ? { authorization: `Bearer ${actor.token}` } : {},
    });

  it("uploads, attaches to a message, and serves only those who may read it", async () => {
    const bytes = new Uint8Array(1000).map((_, i) => i % 251);
    const created = await upload(world.member, bytes, "image/png", "?filename=cat%20picture.png");
    assert.equal(created.status, 201, await created.clone().text());
    const { id, url } = (await created.json()) as { id: string; url: string };
    assert.equal(url, `${world.b.config.publicUrl}${CHAT}/attachments/${id}`);
    // Before a message references it: the uploader only.
    assert.equal((await download(world.member, id)).status, 200);
    assert.equal((await download(world.owner, id)).status, 404);
    // Another actor cannot claim it; without ATTACH_FILES nobody can.
    expectStatus(
      await send(world.mod, world.general, { attachments: [id] }),
      400,
      "P2CHAT_INVALID_ATTACHMENT",
    );
    expectStatus(await send(world.muted, world.general, { attachments: [id] }), 403);
    const message = await send(world.member, world.general, { content: "look", attachments: [id] });
    expectStatus(message, 201);
    const got = await download(world.alice, id);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-type"), "image/png");
    assert.equal(got.headers.get("content-length"), "1000");
    assert.equal(got.headers.get("x-content-type-options"), "nosniff");
    assert.equal(got.headers.get("content-disposition"), "inline; filename*=UTF-8''cat%20picture.png");
    assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
    const head = await fetch(`${world.b.url}${CHAT}/attachments/${id}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${world.alice.token}` },
    });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "1000");
    for (const outsider of [world.stranger, world.eve, world.villain, world.muted]) {
      const answer = await download(outsider, id);
      assert.equal(answer.status, 404, outsider.fid);
      assert.equal(((await answer.json()) as Loose).error, "P2CHAT_NOT_FOUND");
    }
    assert.equal((await download(undefined, id)).status, 401);
    // Used once: a second message cannot take it.
    expectStatus(
      await send(world.member, world.general, { attachments: [id] }),
      400,
      "P2CHAT_INVALID_ATTACHMENT",
    );
    // Deleting the message deletes the attachment.
    expectStatus(await chat(world.member, "DELETE", `${messagesOf(world.general)}/${message.body.id}`), 204);
    assert.equal((await download(world.member, id)).status, 404);
  });

  it("refuses uploads over the size limit, of types not allowed, empty or without Content-Length", async () => {
    const tooBig = await upload(world.member, new Uint8Array(4097));
    assert.equal(tooBig.status, 413);
    assert.equal(((await tooBig.json()) as Loose).error, "P2CORE_PAYLOAD_TOO_LARGE");
    const html = await upload(world.member, "<script>", "text/html");
    assert.equal(html.status, 415);
    assert.equal(((await html.json()) as Loose).error, "P2CHAT_ATTACHMENT_TYPE_NOT_ALLOWED");
    const empty = await upload(world.member, "");
    assert.equal(empty.status, 400);
    const chunked = await fetch(`${world.b.url}${CHAT}/attachments`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.member.token}`, "content-type": "text/plain" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(utf8("streamed"));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    assert.equal(chunked.status, 411);
    assert.equal(((await chunked.json()) as Loose).error, "P2CORE_LENGTH_REQUIRED");
    const exact = await upload(world.member, new Uint8Array(4096), "application/octet-stream");
    assert.equal(exact.status, 201);
    const anonymous = await fetch(`${world.b.url}${CHAT}/attachments`, { method: "POST", body: "x" });
    assert.equal(anonymous.status, 401);
  });
});

// The signing helper is the client's: this documents that the server answers what the client signs.
it("signs what signEnvelope signs", async () => {
  const write = await signed(world.member, "chat.message", to(world.general), { content: "x" });
  assert.equal(write.signature, await signEnvelope(world.member.key, write.envelope));
});
