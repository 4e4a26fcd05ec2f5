/**
 * The message side's part of the storage suite (messages, mentions, reactions, read states,
 * attachments): `storageSuite` calls it inside its describe, so it runs on SQLite and PostgreSQL alike.
 * Each test uses its own channel, so the tests share one database per run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monotonicFactory } from "ulid";
import type { NewMessage } from "./messageStore.js";
import type { Storage } from "./storage.js";

/** A time past 2^41 ms: bigint on PostgreSQL, must come back as this number. */
const T0 = Date.UTC(2106, 1, 8, 6, 28, 16);
const nextId = monotonicFactory();
let counter = 0;

function fresh(prefix: string): string {
  counter++;
  return `${prefix}${counter}-${process.pid}`;
}

function message(channelId: string, overrides: Partial<NewMessage> = {}): NewMessage {
  const id = nextId();
  return {
    id,
    channelId,
    authorFid: "alice@example.chat",
    nonce: `${id.toLowerCase()}`,
    envelope: `{"body":{"content":"${id}"}}`,
    signature: "ab".repeat(64),
    receivedAt: T0,
    system: false,
    replyTo: null,
    mentionEveryone: false,
    mentions: [],
    attachmentIds: [],
    ...overrides,
  };
}

export function messageStorageTests(storageOf: () => Storage): void {
  const storage = () => storageOf();

  async function post(channelId: string, overrides: Partial<NewMessage> = {}): Promise<NewMessage> {
    const m = message(channelId, overrides);
    assert.deepEqual(await storage().messages.insert(m), { outcome: "inserted" });
    return m;
  }

  describe("messages", () => {
    it("round-trips a message; the same (author, nonce) is stored once and returned", async () => {
      const channel = fresh("ch");
      const m = await post(channel, { replyTo: "01REPLY", mentionEveryone: true, envelope: '{"ü":"✓"}' });
      const found = await storage().messages.find(m.id);
      assert.deepEqual(found, {
        id: m.id,
        channelId: channel,
        authorFid: m.authorFid,
        nonce: m.nonce,
        envelope: '{"ü":"✓"}',
        signature: m.signature,
        receivedAt: T0,
        edit: null,
        deleted: false,
        pinnedAt: null,
        system: false,
        replyTo: "01REPLY",
        mentionEveryone: true,
      });
      const retry = { ...m, id: nextId() };
      const again = await storage().messages.insert(retry);
      assert.equal(again.outcome, "duplicate");
      assert.deepEqual(again.outcome === "duplicate" && again.existing, found);
      assert.equal(await storage().messages.find(retry.id), undefined);
      // Another author may use the same nonce.
      await post(channel, { nonce: m.nonce, authorFid: "bob@example.chat" });
      assert.deepEqual(await storage().messages.findByNonce(m.authorFid, m.nonce), found);
    });

    it("concurrent inserts of one nonce store exactly one message", async () => {
      const channel = fresh("ch");
      const base = message(channel);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => storage().messages.insert({ ...base, id: nextId() })),
      );
      assert.equal(results.filter((r) => r.outcome === "inserted").length, 1);
      assert.equal((await storage().messages.page(channel, { limit: 100 })).length, 1);
    });

    it("pages history newest first, before, after and inclusive, leaving deleted messages out", async () => {
      const channel = fresh("ch");
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await post(channel)).id);
      await post(fresh("other"));
      const page = async (query: Parameters<Storage["messages"]["page"]>[1]) =>
        (await storage().messages.page(channel, query)).map((m) => m.id);
      assert.deepEqual(await page({ limit: 3 }), [ids[6], ids[5], ids[4]]);
      assert.deepEqual(await page({ limit: 3, before: ids[4] }), [ids[3], ids[2], ids[1]]);
      assert.deepEqual(await page({ limit: 2, before: ids[4], inclusive: true }), [ids[4], ids[3]]);
      assert.deepEqual(await page({ limit: 3, after: ids[1] }), [ids[4], ids[3], ids[2]]);
      assert.deepEqual(await page({ limit: 100, after: ids[4] }), [ids[6], ids[5]]);
      assert.deepEqual(await page({ limit: 1, after: ids[4], inclusive: true }), [ids[4]]);
      assert.equal((await storage().messages.delete(ids[5]!)).deleted, true);
      assert.deepEqual(await page({ limit: 3 }), [ids[6], ids[4], ids[3]]);
    });

    it("records edits that move forward only; not on deleted messages", async () => {
      const m = await post(fresh("ch"));
      const edit = { envelope: '{"e":1}', signature: "cd".repeat(64), ts: T0 + 10 };
      assert.equal(await storage().messages.setEdit(m.id, edit), true);
      assert.equal(
        await storage().messages.setEdit(m.id, { ...edit, envelope: '{"e":0}', ts: T0 + 5 }),
        false,
      );
      assert.deepEqual((await storage().messages.find(m.id))?.edit, edit);
      assert.equal(await storage().messages.setEdit("01UNKNOWN", edit), false);
      await storage().messages.delete(m.id);
      assert.equal(await storage().messages.setEdit(m.id, { ...edit, ts: T0 + 20 }), false);
    });

    it("deletes to a tombstone: content, mentions, reactions and attachments go, the nonce stays taken", async () => {
      const channel = fresh("ch");
      const attachmentId = nextId();
      await storage().attachments.insert({
        id: attachmentId,
        uploaderFid: "alice@example.chat",
        contentType: "image/png",
        size: 3,
        filename: null,
        createdAt: T0,
      });
      const m = await post(channel, { mentions: ["bob@example.chat"], attachmentIds: [attachmentId] });
      await storage().reactions.add({
        messageId: m.id,
        emoji: "👍",
        fid: "bob@example.chat",
        channelId: channel,
        envelope: "{}",
        signature: "ef".repeat(64),
        createdAt: T0,
      });
      assert.equal(await storage().messages.setPinned(m.id, T0), true);
      assert.deepEqual(await storage().messages.delete(m.id), {
        deleted: true,
        attachmentIds: [attachmentId],
      });
      assert.deepEqual(await storage().messages.delete(m.id), { deleted: false });
      const tombstone = await storage().messages.find(m.id);
      assert.equal(tombstone?.deleted, true);
      assert.equal(tombstone?.envelope, "");
      assert.equal(tombstone?.pinnedAt, null);
      assert.equal(await storage().reactions.count(m.id, "👍"), 0);
      assert.equal(await storage().attachments.find(attachmentId), undefined);
      assert.deepEqual(
        await storage()
          .messages.channelsMentioning("bob@example.chat")
          .then((c) => c.includes(channel)),
        false,
      );
      const replay = await storage().messages.insert({ ...m, id: nextId() });
      assert.equal(replay.outcome, "duplicate");
    });

    it("claims attachments all or nothing: only the author's, only once", async () => {
      const channel = fresh("ch");
      const upload = async (uploaderFid: string) => {
        const id = nextId();
        await storage().attachments.insert({
          id,
          uploaderFid,
          contentType: "text/plain",
          size: 5,
          filename: "a.txt",
          createdAt: T0,
        });
        return id;
      };
      const mine = await upload("alice@example.chat");
      const theirs = await upload("bob@example.chat");
      assert.equal(
        await storage()
          .attachments.unclaimedBytes("alice@example.chat")
          .then((n) => n >= 5),
        true,
      );
      const refused = message(channel, { attachmentIds: [mine, theirs], mentions: ["carol@example.chat"] });
      assert.deepEqual(await storage().messages.insert(refused), { outcome: "attachments-unavailable" });
      // Nothing of the refused message was written.
      assert.equal(await storage().messages.find(refused.id), undefined);
      assert.equal((await storage().attachments.find(mine))?.messageId, null);
      const m = await post(channel, { attachmentIds: [mine] });
      assert.deepEqual(await storage().attachments.find(mine), {
        id: mine,
        uploaderFid: "alice@example.chat",
        contentType: "text/plain",
        size: 5,
        filename: "a.txt",
        createdAt: T0,
        messageId: m.id,
        channelId: channel,
      });
      assert.deepEqual(
        (await storage().attachments.listForMessage(m.id)).map((a) => a.id),
        [mine],
      );
      const twice = message(channel, { attachmentIds: [mine] });
      assert.deepEqual(await storage().messages.insert(twice), { outcome: "attachments-unavailable" });
      assert.ok((await storage().attachments.deleteUnclaimed(T0 + 1)).includes(theirs));
      assert.notEqual(await storage().attachments.find(mine), undefined);
    });

    it("pins and unpins live messages, newest pin first", async () => {
      const channel = fresh("ch");
      const a = await post(channel);
      const b = await post(channel);
      assert.equal(await storage().messages.setPinned(a.id, T0 + 2), true);
      assert.equal(await storage().messages.setPinned(a.id, T0 + 3), false, "already pinned");
      assert.equal(await storage().messages.setPinned(b.id, T0 + 5), true);
      assert.deepEqual(
        (await storage().messages.pins(channel)).map((m) => [m.id, m.pinnedAt]),
        [
          [b.id, T0 + 5],
          [a.id, T0 + 2],
        ],
      );
      assert.equal(await storage().messages.countPins(channel), 2);
      assert.equal(await storage().messages.setPinned(a.id, null), true);
      assert.equal(await storage().messages.setPinned(a.id, null), false);
      assert.equal(await storage().messages.countPins(channel), 1);
    });

    it("counts unread messages and mentions after the last read one, not the reader's own", async () => {
      const channel = fresh("ch");
      const me = "reader@example.chat";
      const first = await post(channel);
      await post(channel, { authorFid: me });
      await post(channel, { mentions: [me, "x@example.chat"] });
      await post(channel, { mentionEveryone: true });
      const last = await post(channel, { mentions: [me], mentionEveryone: true });
      assert.deepEqual(await storage().messages.counts(me, channel, null), {
        unreadCount: 4,
        mentionCount: 3,
        lastMessageId: last.id,
      });
      assert.deepEqual(await storage().messages.counts(me, channel, first.id), {
        unreadCount: 3,
        mentionCount: 3,
        lastMessageId: last.id,
      });
      assert.deepEqual(await storage().messages.counts(me, channel, last.id), {
        unreadCount: 0,
        mentionCount: 0,
        lastMessageId: last.id,
      });
      assert.deepEqual(await storage().messages.counts(me, fresh("empty"), null), {
        unreadCount: 0,
        mentionCount: 0,
        lastMessageId: null,
      });
      assert.ok((await storage().messages.channelsMentioning(me)).includes(channel));
    });

    it("removes a whole channel", async () => {
      const channel = fresh("ch");
      const m = await post(channel, { mentions: ["z@example.chat"] });
      await storage().readStates.set({
        fid: "z@example.chat",
        channelId: channel,
        lastReadId: m.id,
        updatedAt: T0,
      });
      await storage().messages.deleteChannel(channel);
      assert.equal(await storage().messages.find(m.id), undefined);
      assert.equal(await storage().readStates.find("z@example.chat", channel), undefined);
    });
  });

  describe("reactions", () => {
    it("adds once per (message, emoji, actor), summarises per viewer, lists by FID", async () => {
      const channel = fresh("ch");
      const m = await post(channel);
      const other = await post(channel);
      const reaction = (fid: string, emoji: string, createdAt: number) => ({
        messageId: m.id,
        emoji,
        fid,
        channelId: channel,
        envelope: `{"r":"${fid}"}`,
        signature: "12".repeat(64),
        createdAt,
      });
      assert.equal(await storage().reactions.add(reaction("b@x.test", "🎉", T0 + 1)), "added");
      assert.equal(await storage().reactions.add(reaction("a@x.test", "🎉", T0 + 2)), "added");
      assert.equal(await storage().reactions.add(reaction("a@x.test", "🎉", T0 + 3)), "exists");
      assert.equal(await storage().reactions.add(reaction("a@x.test", "👍", T0 + 0)), "added");
      assert.equal(
        await storage().reactions.add({ ...reaction("a@x.test", "👍", T0), messageId: "01NONE" }),
        "no-message",
      );
      // The channel must match the message's.
      assert.equal(
        await storage().reactions.add({ ...reaction("c@x.test", "👍", T0), channelId: "elsewhere" }),
        "no-message",
      );
      assert.equal(await storage().reactions.count(m.id, "🎉"), 2);
      assert.equal(await storage().reactions.countEmoji(m.id), 2);
      const summaries = await storage().reactions.summaries([m.id, other.id], "b@x.test");
      assert.deepEqual(summaries.get(m.id), [
        { emoji: "👍", count: 1, me: false },
        { emoji: "🎉", count: 2, me: true },
      ]);
      assert.equal(summaries.has(other.id), false);
      const listed = await storage().reactions.list(m.id, "🎉", undefined, 1);
      assert.deepEqual(listed, [reaction("a@x.test", "🎉", T0 + 2)]);
      assert.deepEqual(
        (await storage().reactions.list(m.id, "🎉", "a@x.test", 10)).map((r) => r.fid),
        ["b@x.test"],
      );
      assert.equal(await storage().reactions.remove(m.id, "🎉", "b@x.test"), true);
      assert.equal(await storage().reactions.remove(m.id, "🎉", "b@x.test"), false);
      assert.equal(await storage().reactions.find(m.id, "🎉", "b@x.test"), undefined);
    });
  });

  describe("read states", () => {
    it("sets, moves and lists an actor's read states", async () => {
      const fid = `${fresh("reader")}@example.chat`;
      const [c1, c2] = [fresh("ch"), fresh("ch")];
      await storage().readStates.set({ fid, channelId: c1, lastReadId: "01B", updatedAt: T0 });
      await storage().readStates.set({ fid, channelId: c1, lastReadId: "01A", updatedAt: T0 + 1 });
      await storage().readStates.set({ fid, channelId: c2, lastReadId: "01C", updatedAt: T0 + 2 });
      assert.deepEqual(await storage().readStates.find(fid, c1), {
        fid,
        channelId: c1,
        lastReadId: "01A",
        updatedAt: T0 + 1,
      });
      assert.deepEqual((await storage().readStates.list(fid)).map((s) => s.lastReadId).sort(), [
        "01A",
        "01C",
      ]);
      assert.equal(await storage().readStates.find("nobody@example.chat", c1), undefined);
    });
  });
}
