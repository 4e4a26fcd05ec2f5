/**
 * The guild side's part of the storage suite (storage.suite.ts calls it inside its `describe`, so it
 * runs on SQLite and on PostgreSQL): guilds, channels and overwrites, roles, members and their roles,
 * bans, invites — round-trips, bitfields past 2^63, cascades, pagination, one-winner redemptions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ulid } from "ulid";
import type { ChannelRecord } from "./channelStore.js";
import type { GuildRecord } from "./guildStore.js";
import type { RoleRecord } from "./roleStore.js";
import type { Storage } from "./storage.js";

const T0 = Date.UTC(2106, 1, 8, 6, 28, 16);
/** Bit 63 set: past a signed 64-bit integer, must round-trip exactly. */
const HIGH = (1n << 63n) | (1n << 10n);

function guild(overrides: Partial<GuildRecord> = {}): GuildRecord {
  return {
    id: ulid(),
    name: "Guild",
    description: null,
    icon: null,
    ownerFid: "owner@example.chat",
    isPublic: false,
    createdAt: T0,
    ...overrides,
  };
}

function channel(guildId: string | null, overrides: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    id: ulid(),
    guildId,
    type: 1,
    name: "general",
    topic: null,
    parentId: null,
    position: 0,
    encrypted: false,
    ownerFid: null,
    createdAt: T0,
    overwrites: [],
    ...overrides,
  };
}

function role(guildId: string, overrides: Partial<RoleRecord> = {}): RoleRecord {
  return {
    id: ulid(),
    guildId,
    name: "role",
    permissions: 0n,
    position: 1,
    color: 0,
    createdAt: T0,
    ...overrides,
  };
}

/** Concurrent copies of `task`; their results. */
function concurrently<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => task(index)));
}

export function guildStoresSuite(storageOf: () => Storage): void {
  /** A guild with its @everyone role. */
  async function newGuild(overrides: Partial<GuildRecord> = {}): Promise<GuildRecord> {
    const storage = storageOf();
    const created = guild(overrides);
    assert.equal(await storage.guilds.create(created), true);
    assert.equal(
      await storage.roles.create(role(created.id, { id: created.id, name: "@everyone", position: 0 })),
      true,
    );
    return created;
  }

  describe("guilds", () => {
    it("round-trips a guild, updates it and refuses a taken ID", async () => {
      const storage = storageOf();
      const created = await newGuild({ description: "about", icon: "https://x/icon.png", isPublic: true });
      assert.deepEqual(await storage.guilds.find(created.id), created);
      assert.equal(await storage.guilds.create(created), false);
      assert.deepEqual(
        await storage.guilds.update(created.id, { name: "Renamed", isPublic: false, icon: null }),
        {
          ...created,
          name: "Renamed",
          isPublic: false,
          icon: null,
        },
      );
      assert.deepEqual(await storage.guilds.update(created.id, {}), {
        ...created,
        name: "Renamed",
        isPublic: false,
        icon: null,
      });
      assert.equal(await storage.guilds.update(ulid(), { name: "x" }), undefined);
      assert.equal(await storage.guilds.find(ulid()), undefined);
    });

    it("pages through public guilds by ID and lists a member's guilds", async () => {
      const storage = storageOf();
      const fid = `pager.${process.pid}@example.chat`;
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        const g = await newGuild({ isPublic: true });
        made.push(g.id);
        await storage.members.add({ guildId: g.id, fid, joinedAt: T0 });
      }
      await newGuild({ isPublic: false });
      const all = (await storage.guilds.listPublic({ limit: 1000 })).map((g) => g.id);
      assert.ok(made.every((id) => all.includes(id)));
      assert.ok(
        all.every((id, i) => i === 0 || all[i - 1]! < id),
        "ascending IDs",
      );
      const firstTwo = await storage.guilds.listPublic({ limit: 2, after: made[0] });
      assert.deepEqual(
        firstTwo.map((g) => g.id),
        all.filter((id) => id > made[0]!).slice(0, 2),
      );
      assert.deepEqual(
        (await storage.guilds.listOfMember(fid)).map((g) => g.id),
        made,
      );
    });

    it("deleting a guild removes its channels, overwrites, roles, members, bans and invites", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const r = role(g.id);
      await storage.roles.create(r);
      const c = channel(g.id, { overwrites: [{ id: r.id, type: "role", allow: 1n, deny: 0n }] });
      await storage.channels.create(c);
      await storage.members.add({ guildId: g.id, fid: "m@example.chat", joinedAt: T0 });
      await storage.members.addRole(g.id, "m@example.chat", r.id);
      await storage.bans.put({
        guildId: g.id,
        fid: "b@example.chat",
        reason: null,
        bannedByFid: "o@x.y",
        createdAt: T0,
      });
      const code = `del${ulid()}`;
      await storage.guildInvites.create({
        code,
        guildId: g.id,
        channelId: c.id,
        inviterFid: "m@example.chat",
        uses: 0,
        maxUses: null,
        expiresAt: null,
        createdAt: T0,
      });
      assert.equal(await storage.guilds.delete(g.id), true);
      assert.equal(await storage.guilds.delete(g.id), false);
      assert.equal(await storage.channels.find(c.id), undefined);
      assert.deepEqual(await storage.roles.listOfGuild(g.id), []);
      assert.equal(await storage.members.find(g.id, "m@example.chat"), undefined);
      assert.equal(await storage.bans.find(g.id, "b@example.chat"), undefined);
      assert.equal(await storage.guildInvites.find(code), undefined);
      assert.equal(await storage.guilds.lock(g.id), false);
    });
  });

  describe("channels and overwrites", () => {
    it("round-trips a channel with overwrites past 2^63 and sorts them by target", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const c = channel(g.id, {
        topic: "talk",
        overwrites: [
          { id: g.id, type: "role", allow: 0n, deny: HIGH },
          { id: "alice@example.chat", type: "member", allow: HIGH, deny: 0n },
        ],
      });
      assert.equal(await storage.channels.create(c), true);
      assert.equal(await storage.channels.create(c), false);
      const found = await storage.channels.find(c.id);
      assert.deepEqual(found, { ...c, overwrites: [...c.overwrites].sort((x, y) => (x.id < y.id ? -1 : 1)) });
      assert.equal(typeof found?.overwrites[0]?.allow, "bigint");
    });

    it("lists a guild's channels by position, updates, places and deletes them", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const category = channel(g.id, { type: 4, name: "cat", position: 1 });
      const text = channel(g.id, { position: 0 });
      const child = channel(g.id, { parentId: category.id, position: 0, name: "child" });
      for (const c of [category, text, child]) await storage.channels.create(c);
      await storage.channels.create(channel(null, { type: 5, ownerFid: "o@example.chat" }));
      const listed = await storage.channels.listOfGuild(g.id);
      assert.deepEqual(
        listed.map((c) => c.id),
        [text, child]
          .sort((x, y) => (x.id < y.id ? -1 : 1))
          .map((c) => c.id)
          .concat(category.id),
      );
      assert.deepEqual(
        await storage.channels.update(text.id, { name: "renamed", topic: "t", encrypted: true }),
        {
          ...text,
          name: "renamed",
          topic: "t",
          encrypted: true,
        },
      );
      await storage.channels.place([
        { id: text.id, parentId: category.id, position: 1 },
        { id: child.id, parentId: null, position: 5 },
      ]);
      assert.equal((await storage.channels.find(text.id))?.parentId, category.id);
      assert.equal((await storage.channels.find(child.id))?.position, 5);
      assert.equal(await storage.channels.delete(text.id), true);
      assert.equal(await storage.channels.delete(text.id), false);
      assert.equal(await storage.channels.update(text.id, { name: "x" }), undefined);
    });

    it("puts, replaces and deletes overwrites, also every overwrite of a deleted role", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const c1 = channel(g.id);
      const c2 = channel(g.id);
      await storage.channels.create(c1);
      await storage.channels.create(c2);
      await storage.channels.putOverwrite(c1.id, { id: "r1", type: "role", allow: 1n, deny: 2n });
      await storage.channels.putOverwrite(c1.id, { id: "r1", type: "role", allow: 4n, deny: HIGH });
      await storage.channels.putOverwrite(c2.id, { id: "r1", type: "role", allow: 1n, deny: 0n });
      await storage.channels.putOverwrite(c2.id, {
        id: "x@example.chat",
        type: "member",
        allow: 1n,
        deny: 0n,
      });
      assert.deepEqual((await storage.channels.find(c1.id))?.overwrites, [
        { id: "r1", type: "role", allow: 4n, deny: HIGH },
      ]);
      assert.equal(await storage.channels.deleteOverwrite(c1.id, "r1"), true);
      assert.equal(await storage.channels.deleteOverwrite(c1.id, "r1"), false);
      await storage.channels.putOverwrite(c1.id, { id: "r1", type: "role", allow: 1n, deny: 0n });
      await storage.channels.deleteOverwritesOf(g.id, "r1");
      assert.deepEqual((await storage.channels.find(c1.id))?.overwrites, []);
      assert.deepEqual(
        (await storage.channels.listOfGuild(g.id)).flatMap((c) => c.overwrites.map((o) => o.id)),
        ["x@example.chat"],
      );
    });

    it("refuses an overwrite type other than role or member", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const c = channel(g.id);
      await storage.channels.create(c);
      await assert.rejects(
        storage.channels.putOverwrite(c.id, { id: "z", type: "user" as "role", allow: 0n, deny: 0n }),
      );
    });
  });

  describe("roles and members", () => {
    it("round-trips roles past 2^63, orders them by position, updates and repositions them", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const high = role(g.id, { permissions: HIGH, position: 2, color: 0xff8800 });
      const low = role(g.id, { position: 1 });
      await storage.roles.create(high);
      await storage.roles.create(low);
      assert.equal(await storage.roles.create(low), false);
      assert.deepEqual(await storage.roles.find(high.id), high);
      assert.deepEqual(
        (await storage.roles.listOfGuild(g.id)).map((r) => r.id),
        [g.id, low.id, high.id],
      );
      await storage.roles.setPositions([
        { id: high.id, position: 1 },
        { id: low.id, position: 2 },
      ]);
      assert.deepEqual(
        (await storage.roles.listOfGuild(g.id)).map((r) => r.id),
        [g.id, high.id, low.id],
      );
      assert.deepEqual(await storage.roles.update(low.id, { name: "renamed", permissions: 8n, color: 1 }), {
        ...low,
        name: "renamed",
        permissions: 8n,
        color: 1,
        position: 2,
      });
      assert.equal(await storage.roles.update(ulid(), { name: "x" }), undefined);
    });

    it("adds members once, gives and takes roles, drops them with the member or the role", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const r1 = role(g.id);
      const r2 = role(g.id);
      await storage.roles.create(r1);
      await storage.roles.create(r2);
      const fid = "m@b.example";
      assert.equal(await storage.members.add({ guildId: g.id, fid, joinedAt: T0 }), true);
      assert.equal(await storage.members.add({ guildId: g.id, fid, joinedAt: T0 + 1 }), false);
      assert.equal(await storage.members.addRole(g.id, fid, r1.id), true);
      assert.equal(await storage.members.addRole(g.id, fid, r1.id), false);
      assert.equal(await storage.members.addRole(g.id, fid, r2.id), true);
      assert.equal(await storage.members.addRole(g.id, "stranger@b.example", r1.id), false);
      assert.deepEqual(await storage.members.find(g.id, fid), {
        guildId: g.id,
        fid,
        joinedAt: T0,
        roleIds: [r1.id, r2.id].sort(),
      });
      assert.equal(await storage.members.removeRole(g.id, fid, r2.id), true);
      assert.equal(await storage.members.removeRole(g.id, fid, r2.id), false);
      assert.equal(await storage.roles.delete(r1.id), true);
      assert.deepEqual((await storage.members.find(g.id, fid))?.roleIds, []);
      await storage.members.addRole(g.id, fid, r2.id);
      assert.equal(await storage.members.remove(g.id, fid), true);
      assert.equal(await storage.members.remove(g.id, fid), false);
      // Re-joining starts without the old roles.
      await storage.members.add({ guildId: g.id, fid, joinedAt: T0 });
      assert.deepEqual((await storage.members.find(g.id, fid))?.roleIds, []);
    });

    it("pages through members by FID with their roles and counts them", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const r = role(g.id);
      await storage.roles.create(r);
      const fids = Array.from({ length: 7 }, (_, i) => `member${i}@example.chat`);
      for (const fid of [...fids].reverse()) await storage.members.add({ guildId: g.id, fid, joinedAt: T0 });
      await storage.members.addRole(g.id, fids[3]!, r.id);
      await storage.members.addRole(g.id, fids[6]!, r.id);
      assert.equal(await storage.members.count(g.id), 7);
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await storage.members.list(g.id, { limit: 3, after });
        if (page.length === 0) break;
        for (const m of page)
          assert.deepEqual(m.roleIds, m.fid === fids[3] || m.fid === fids[6] ? [r.id] : []);
        seen.push(...page.map((m) => m.fid));
        after = page[page.length - 1]!.fid;
      }
      assert.deepEqual(seen, fids);
    });
  });

  describe("bans", () => {
    it("puts, replaces, lists by FID and lifts bans", async () => {
      const storage = storageOf();
      const g = await newGuild();
      const ban = {
        guildId: g.id,
        fid: "b@example.chat",
        reason: "spam",
        bannedByFid: "o@example.chat",
        createdAt: T0,
      };
      await storage.bans.put(ban);
      await storage.bans.put({ ...ban, reason: null, createdAt: T0 + 1 });
      await storage.bans.put({ ...ban, fid: "a@example.chat" });
      assert.deepEqual(await storage.bans.find(g.id, ban.fid), { ...ban, reason: null, createdAt: T0 + 1 });
      assert.deepEqual(
        (await storage.bans.list(g.id, { limit: 10 })).map((b) => b.fid),
        ["a@example.chat", "b@example.chat"],
      );
      assert.deepEqual(
        (await storage.bans.list(g.id, { limit: 10, after: "a@example.chat" })).map((b) => b.fid),
        ["b@example.chat"],
      );
      assert.equal(await storage.bans.delete(g.id, ban.fid), true);
      assert.equal(await storage.bans.delete(g.id, ban.fid), false);
      assert.equal(await storage.bans.find(g.id, ban.fid), undefined);
    });
  });

  describe("guild invites", () => {
    async function newInvite(overrides: { maxUses?: number | null; expiresAt?: number | null } = {}) {
      const storage = storageOf();
      const g = await newGuild();
      const c = channel(g.id);
      await storage.channels.create(c);
      const invite = {
        code: `c${ulid()}`,
        guildId: g.id,
        channelId: c.id,
        inviterFid: "i@example.chat",
        uses: 0,
        maxUses: null,
        expiresAt: null,
        createdAt: T0,
        ...overrides,
      };
      assert.equal(await storage.guildInvites.create(invite), true);
      return { invite, guildId: g.id, channelId: c.id };
    }

    it("round-trips, lists newest first, refuses a taken code and goes with its channel", async () => {
      const storage = storageOf();
      const { invite, guildId, channelId } = await newInvite({ maxUses: 3, expiresAt: T0 + 1000 });
      assert.deepEqual(await storage.guildInvites.find(invite.code), invite);
      assert.equal(await storage.guildInvites.create(invite), false);
      const newer = { ...invite, code: `n${ulid()}`, createdAt: T0 + 5 };
      await storage.guildInvites.create(newer);
      assert.deepEqual(
        (await storage.guildInvites.listOfGuild(guildId)).map((i) => i.code),
        [newer.code, invite.code],
      );
      assert.equal(await storage.guildInvites.delete(newer.code), true);
      assert.equal(await storage.guildInvites.delete(newer.code), false);
      await storage.channels.delete(channelId);
      assert.equal(await storage.guildInvites.find(invite.code), undefined);
    });

    it("redeems up to max uses with exactly one winner for the last use", async () => {
      const storage = storageOf();
      const { invite } = await newInvite({ maxUses: 3 });
      assert.equal(await storage.guildInvites.redeem(invite.code, T0), true);
      const results = await concurrently(8, () => storage.guildInvites.redeem(invite.code, T0));
      assert.equal(results.filter(Boolean).length, 2);
      assert.equal((await storage.guildInvites.find(invite.code))?.uses, 3);
      assert.equal(await storage.guildInvites.redeem("unknown", T0), false);
    });

    it("redeems an unlimited invite any number of times until it expires", async () => {
      const storage = storageOf();
      const { invite } = await newInvite({ expiresAt: T0 + 1000 });
      const results = await concurrently(5, () => storage.guildInvites.redeem(invite.code, T0 + 999));
      assert.equal(results.filter(Boolean).length, 5);
      assert.equal(await storage.guildInvites.redeem(invite.code, T0 + 1000), false);
      assert.equal((await storage.guildInvites.find(invite.code))?.uses, 5);
    });
  });

  describe("guild lock", () => {
    it("serialises membership changes in transactions and reports a missing guild", async () => {
      const storage = storageOf();
      const g = await newGuild();
      // Many concurrent "join unless banned" transactions racing one ban: never a banned member.
      const fid = "racer@example.chat";
      const joins = concurrently(6, () =>
        storage.transaction(async (stores) => {
          assert.equal(await stores.guilds.lock(g.id), true);
          if (await stores.bans.find(g.id, fid)) return false;
          return stores.members.add({ guildId: g.id, fid, joinedAt: T0 });
        }),
      );
      const ban = storage.transaction(async (stores) => {
        await stores.guilds.lock(g.id);
        await stores.members.remove(g.id, fid);
        await stores.bans.put({
          guildId: g.id,
          fid,
          reason: null,
          bannedByFid: "o@example.chat",
          createdAt: T0,
        });
      });
      await Promise.all([joins, ban]);
      const member = await storage.members.find(g.id, fid);
      const banned = await storage.bans.find(g.id, fid);
      assert.ok(banned);
      assert.equal(member, undefined, "a banned actor stayed a member");
      assert.equal(await storage.transaction((stores) => stores.guilds.lock(ulid())), false);
    });
  });
}
