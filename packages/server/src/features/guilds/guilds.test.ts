/**
 * The guild side over real HTTP: guilds, channels (categories, threads, positions, synced overwrites),
 * roles (positions, hierarchy, grants), members (pagination, leave, kick), bans, invites (max uses,
 * expiry, one winner for a last use), discovery, and the rate limits of PROFILE §4.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_EVERYONE_PERMISSIONS, Permission } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";
import { type Actor, expectStatus, localActor, PASSWORD } from "./actors.test-helper.js";

const P = Permission;
const bits = (...flags: bigint[]) => flags.reduce((a, b) => a | b, 0n).toString();

let server: TestServer;
let owner: Actor;
let alice: Actor;
let bob: Actor;
let carol: Actor;

before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "g.test", P2_RATE_LIMITS: "off" } });
  [owner, alice, bob, carol] = await Promise.all([
    localActor(server, "owner"),
    localActor(server, "alice"),
    localActor(server, "bob"),
    localActor(server, "carol"),
  ]);
});
after(() => server.close());

/** A fresh guild of `owner` with the given actors joined through an invite. */
async function guildWith(...members: Actor[]): Promise<{ id: string; channel: string }> {
  const guild = expectStatus(await owner.call("POST", "/guilds", { name: "Test guild" }), 201);
  const channel = expectStatus(
    await owner.call("POST", `/guilds/${guild.id}/channels`, { name: "general" }),
    201,
  );
  if (members.length > 0) {
    const invite = expectStatus(await owner.call("POST", `/channels/${channel.id}/invites`, {}), 201);
    for (const member of members) expectStatus(await member.call("POST", `/invites/${invite.code}`), 201);
  }
  return { id: guild.id, channel: channel.id };
}

describe("guilds", () => {
  test("creating one makes @everyone (the guild's ID, default permissions) and the owner its member", async () => {
    const created = expectStatus(
      await owner.call("POST", "/guilds", { name: "Home", description: "about", icon: "https://i/x.png" }),
      201,
    );
    assert.match(created.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.deepEqual(
      { ...created, id: "", createdAt: 0 },
      {
        id: "",
        name: "Home",
        description: "about",
        icon: "https://i/x.png",
        ownerFid: owner.fid,
        public: false,
        createdAt: 0,
      },
    );
    assert.ok(Math.abs(created.createdAt - Date.now()) < 60_000, "createdAt is unix ms");
    const roles = expectStatus(await owner.call("GET", `/guilds/${created.id}/roles`), 200);
    assert.deepEqual(roles, [
      {
        id: created.id,
        name: "@everyone",
        permissions: DEFAULT_EVERYONE_PERMISSIONS.toString(),
        position: 0,
        color: 0,
      },
    ]);
    const members = expectStatus(await owner.call("GET", `/guilds/${created.id}/members`), 200);
    assert.deepEqual(
      members.map((m: { fid: string; roles: string[] }) => [m.fid, m.roles]),
      [[owner.fid, []]],
    );
    assert.deepEqual(expectStatus(await owner.call("GET", `/guilds/${created.id}`), 200), created);
    const mine = expectStatus(await owner.call("GET", "/guilds"), 200);
    assert.ok(mine.some((g: { id: string }) => g.id === created.id));
  });

  test("names are 1–100 characters; unknown fields and wrong types are refused or dropped", async () => {
    expectStatus(await owner.call("POST", "/guilds", { name: "" }), 400, "P2CORE_INVALID_REQUEST");
    expectStatus(
      await owner.call("POST", "/guilds", { name: "x".repeat(101) }),
      400,
      "P2CORE_INVALID_REQUEST",
    );
    expectStatus(
      await owner.call("POST", "/guilds", { name: "ok", public: "true" }),
      400,
      "P2CORE_INVALID_REQUEST",
    );
    expectStatus(await owner.call("POST", "/guilds", {}), 400);
    const ok = expectStatus(
      await owner.call("POST", "/guilds", { name: "x".repeat(100), ownerFid: "evil@x.y" }),
      201,
    );
    assert.equal(ok.ownerFid, owner.fid);
    expectStatus(await owner.call("GET", "/guilds/not-a-ulid"), 400, "P2CORE_INVALID_REQUEST");
  });

  test("update (MANAGE_GUILD) changes name, description, icon and public; null clears", async () => {
    const { id } = await guildWith(alice);
    expectStatus(
      await alice.call("PATCH", `/guilds/${id}`, { name: "No" }),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    const updated = expectStatus(
      await owner.call("PATCH", `/guilds/${id}`, { name: "New", description: "d", icon: "i", public: true }),
      200,
    );
    assert.deepEqual(
      [updated.name, updated.description, updated.icon, updated.public],
      ["New", "d", "i", true],
    );
    const cleared = expectStatus(
      await owner.call("PATCH", `/guilds/${id}`, { description: null, icon: null }),
      200,
    );
    assert.deepEqual([cleared.name, cleared.description, cleared.icon], ["New", null, null]);
  });

  test("delete: owner only, with the sensitive solution checked after the owner check", async () => {
    const { id, channel } = await guildWith(alice);
    expectStatus(await alice.call("DELETE", `/guilds/${id}`), 403, "P2CHAT_MISSING_PERMISSION");
    expectStatus(await bob.call("DELETE", `/guilds/${id}`), 404, "P2CHAT_NOT_FOUND");
    expectStatus(await owner.call("DELETE", `/guilds/${id}`), 401, "P2CORE_SENSITIVE_SOLUTION_REQUIRED");
    expectStatus(
      await owner.call("DELETE", `/guilds/${id}`, undefined, { "x-p2-sensitive-solution": "wrong password" }),
      403,
      "P2CORE_SENSITIVE_SOLUTION_WRONG",
    );
    expectStatus(
      await owner.call("DELETE", `/guilds/${id}`, undefined, { "x-p2-sensitive-solution": PASSWORD }),
      204,
    );
    expectStatus(await owner.call("GET", `/guilds/${id}`), 404);
    expectStatus(await alice.call("GET", `/channels/${channel}`), 404);
    assert.equal(await server.storage.members.find(id, alice.fid), undefined);
  });

  test("discovery lists public guilds by ID with pagination; anyone may read and join them", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        expectStatus(await owner.call("POST", "/guilds", { name: `Public ${i}`, public: true }), 201).id,
      );
    }
    const hidden = await guildWith();
    const all = expectStatus(await carol.call("GET", "/guilds?public=true&limit=100"), 200);
    const listed = all.map((g: { id: string }) => g.id);
    assert.ok(ids.every((id) => listed.includes(id)));
    assert.ok(!listed.includes(hidden.id));
    const page = expectStatus(await carol.call("GET", `/guilds?public=true&limit=2&after=${ids[0]}`), 200);
    assert.deepEqual(
      page.map((g: { id: string }) => g.id),
      listed.filter((id: string) => id > ids[0]!).slice(0, 2),
    );
    expectStatus(await carol.call("GET", "/guilds?public=true&limit=101"), 400);
    // A public guild reads for non-members; joining it needs no invite.
    expectStatus(await carol.call("GET", `/guilds/${ids[0]}`), 200);
    expectStatus(await carol.call("GET", `/guilds/${ids[0]}/channels`), 404);
    expectStatus(await carol.call("PUT", `/guilds/${ids[0]}/members/@me`), 201);
    expectStatus(await carol.call("PUT", `/guilds/${ids[0]}/members/@me`), 200);
    expectStatus(await carol.call("GET", `/guilds/${ids[0]}/channels`), 200);
    // A private one does neither.
    expectStatus(await carol.call("GET", `/guilds/${hidden.id}`), 404);
    expectStatus(await carol.call("PUT", `/guilds/${hidden.id}/members/@me`), 404);
  });
});

describe("channels", () => {
  test("create, read, rename, set topic, delete; names and types are checked", async () => {
    const { id } = await guildWith(alice);
    const created = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "news", topic: "what happens" }),
      201,
    );
    assert.deepEqual(
      { ...created, id: "" },
      {
        id: "",
        guildId: id,
        type: 1,
        name: "news",
        topic: "what happens",
        parentId: null,
        position: 1,
        encrypted: false,
        overwrites: [],
      },
    );
    expectStatus(
      await alice.call("POST", `/guilds/${id}/channels`, { name: "x" }),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    expectStatus(await owner.call("POST", `/guilds/${id}/channels`, { name: "" }), 400);
    expectStatus(await owner.call("POST", `/guilds/${id}/channels`, { name: "dm", type: 5 }), 400);
    assert.deepEqual(expectStatus(await alice.call("GET", `/channels/${created.id}`), 200), created);
    const renamed = expectStatus(
      await owner.call("PATCH", `/channels/${created.id}`, { name: "n", topic: null }),
      200,
    );
    assert.deepEqual([renamed.name, renamed.topic], ["n", null]);
    expectStatus(await alice.call("PATCH", `/channels/${created.id}`, { name: "no" }), 403);
    expectStatus(await alice.call("DELETE", `/channels/${created.id}`), 403);
    expectStatus(await owner.call("DELETE", `/channels/${created.id}`), 204);
    expectStatus(await owner.call("GET", `/channels/${created.id}`), 404);
    expectStatus(await owner.call("DELETE", `/channels/${created.id}`), 404);
  });

  test("categories hold text and forum channels; threads hang off those; parents are checked", async () => {
    const { id, channel: general } = await guildWith();
    const category = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "cat", type: 4 }),
      201,
    );
    const inCategory = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "forum", type: 3, parentId: category.id }),
      201,
    );
    assert.deepEqual([inCategory.parentId, inCategory.position], [category.id, 0]);
    const thread = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "t", type: 2, parentId: general }),
      201,
    );
    assert.equal(thread.parentId, general);
    for (const [body, why] of [
      [{ name: "t", type: 2 }, "thread without parent"],
      [{ name: "t", type: 2, parentId: category.id }, "thread in a category"],
      [{ name: "c", type: 4, parentId: category.id }, "category in a category"],
      [{ name: "x", parentId: general }, "text channel under a text channel"],
      [{ name: "x", parentId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "unknown parent"],
    ] as const) {
      const answer = await owner.call("POST", `/guilds/${id}/channels`, body);
      expectStatus(answer, 400, "P2CHAT_INVALID_PARENT");
      assert.ok(answer.body.message, why);
    }
    // A parent in another guild is as unknown as one that does not exist.
    const other = await guildWith();
    expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "x", type: 2, parentId: other.channel }),
      400,
      "P2CHAT_INVALID_PARENT",
    );
    // Deleting the text channel takes its thread; deleting the category frees its channels.
    expectStatus(await owner.call("DELETE", `/channels/${general}`), 204);
    expectStatus(await owner.call("GET", `/channels/${thread.id}`), 404);
    expectStatus(await owner.call("DELETE", `/channels/${category.id}`), 204);
    const freed = expectStatus(await owner.call("GET", `/channels/${inCategory.id}`), 200);
    assert.equal(freed.parentId, null);
    const left = expectStatus(await owner.call("GET", `/guilds/${id}/channels`), 200);
    assert.deepEqual(
      left.map((c: { id: string; position: number }) => [c.id, c.position]),
      [[inCategory.id, 0]],
    );
  });

  test("positions are contiguous among siblings; moving one renumbers the others", async () => {
    const { id, channel: a } = await guildWith();
    const b = expectStatus(await owner.call("POST", `/guilds/${id}/channels`, { name: "b" }), 201).id;
    const c = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "c", position: 0 }),
      201,
    ).id;
    const order = async () =>
      expectStatus(await owner.call("GET", `/guilds/${id}/channels`), 200)
        .filter((ch: { parentId: string | null }) => ch.parentId === null)
        .map((ch: { id: string; position: number }) => [ch.id, ch.position]);
    assert.deepEqual(await order(), [
      [c, 0],
      [a, 1],
      [b, 2],
    ]);
    expectStatus(await owner.call("PATCH", `/channels/${b}`, { position: 0 }), 200);
    assert.deepEqual(await order(), [
      [b, 0],
      [c, 1],
      [a, 2],
    ]);
    expectStatus(await owner.call("PATCH", `/channels/${b}`, { position: 99 }), 200);
    assert.deepEqual(await order(), [
      [c, 0],
      [a, 1],
      [b, 2],
    ]);
    // Into a category: leaves a gap-free list behind and lands at the end of the category.
    const cat = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "cat", type: 4 }),
      201,
    ).id;
    const moved = expectStatus(await owner.call("PATCH", `/channels/${a}`, { parentId: cat }), 200);
    assert.deepEqual([moved.parentId, moved.position], [cat, 0]);
    assert.deepEqual(await order(), [
      [c, 0],
      [b, 1],
      [cat, 2],
    ]);
    expectStatus(
      await owner.call("PATCH", `/channels/${cat}`, { parentId: cat }),
      400,
      "P2CHAT_INVALID_PARENT",
    );
  });

  test("a channel created in a category takes the category's overwrites unless given its own", async () => {
    const { id } = await guildWith(alice);
    const hidden = { id, type: "role", allow: "0", deny: P.VIEW_CHANNEL.toString() };
    const cat = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "staff", type: 4, overwrites: [hidden] }),
      201,
    );
    assert.deepEqual(cat.overwrites, [hidden]);
    const synced = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "s", parentId: cat.id }),
      201,
    );
    assert.deepEqual(synced.overwrites, [hidden]);
    expectStatus(await alice.call("GET", `/channels/${synced.id}`), 404, "P2CHAT_NOT_FOUND");
    const open = expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, { name: "o", parentId: cat.id, overwrites: [] }),
      201,
    );
    expectStatus(await alice.call("GET", `/channels/${open.id}`), 200);
    // Overwrites at creation need MANAGE_ROLES; unknown roles and bad FIDs are refused.
    expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, {
        name: "x",
        overwrites: [{ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", type: "role", allow: "0", deny: "0" }],
      }),
      404,
      "P2CHAT_NOT_FOUND",
    );
    expectStatus(
      await owner.call("POST", `/guilds/${id}/channels`, {
        name: "x",
        overwrites: [{ id: "not a fid", type: "member", allow: "0", deny: "0" }],
      }),
      400,
      "P2CORE_INVALID_FEDERATION_ID",
    );
  });

  test("encryption turns on once and never off; overwrites set and clear with bitfields past 2^53", async () => {
    const { channel } = await guildWith(alice);
    expectStatus(await owner.call("PATCH", `/channels/${channel}`, { encrypted: true }), 200);
    expectStatus(await owner.call("PATCH", `/channels/${channel}`, { encrypted: true }), 200);
    expectStatus(
      await owner.call("PATCH", `/channels/${channel}`, { encrypted: false }),
      400,
      "P2CHAT_ENCRYPTION_IRREVERSIBLE",
    );
    // Unknown bits (here 2^63) are dropped; the member FID is lowercased.
    expectStatus(
      await owner.call("PUT", `/channels/${channel}/overwrites/${alice.fid.toUpperCase()}`, {
        type: "member",
        allow: ((1n << 63n) | P.MANAGE_MESSAGES).toString(),
        deny: P.ADD_REACTIONS.toString(),
      }),
      204,
    );
    const put = expectStatus(await owner.call("GET", `/channels/${channel}`), 200);
    assert.deepEqual(put.overwrites, [
      {
        id: alice.fid,
        type: "member",
        allow: P.MANAGE_MESSAGES.toString(),
        deny: P.ADD_REACTIONS.toString(),
      },
    ]);
    expectStatus(
      await owner.call("PUT", `/channels/${channel}/overwrites/${alice.fid}`, {
        type: "member",
        allow: "18446744073709551616",
        deny: "0",
      }),
      400,
    );
    expectStatus(await owner.call("DELETE", `/channels/${channel}/overwrites/${alice.fid}`), 204);
    expectStatus(await owner.call("DELETE", `/channels/${channel}/overwrites/${alice.fid}`), 404);
    assert.deepEqual(expectStatus(await owner.call("GET", `/channels/${channel}`), 200).overwrites, []);
    expectStatus(
      await owner.call("PUT", `/channels/${channel}/overwrites/01ARZ3NDEKTSV4RRFFQ69G5FAV`, {
        type: "role",
        allow: "0",
        deny: "0",
      }),
      404,
    );
  });
});

describe("roles and the hierarchy", () => {
  test("new roles start just above @everyone; positions move the way a list does", async () => {
    const { id } = await guildWith();
    const first = expectStatus(
      await owner.call("POST", `/guilds/${id}/roles`, { name: "first", color: 0xff0000 }),
      201,
    );
    assert.deepEqual(
      { ...first, id: "" },
      { id: "", name: "first", permissions: "0", position: 1, color: 0xff0000 },
    );
    const second = expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "second" }), 201);
    const third = expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "third" }), 201);
    const order = async () =>
      expectStatus(await owner.call("GET", `/guilds/${id}/roles`), 200).map((r: { name: string }) => r.name);
    assert.deepEqual(await order(), ["@everyone", "third", "second", "first"]);
    expectStatus(await owner.call("PATCH", `/guilds/${id}/roles/${third.id}`, { position: 3 }), 200);
    assert.deepEqual(await order(), ["@everyone", "second", "first", "third"]);
    expectStatus(await owner.call("DELETE", `/guilds/${id}/roles/${first.id}`), 204);
    const roles = expectStatus(await owner.call("GET", `/guilds/${id}/roles`), 200);
    assert.deepEqual(
      roles.map((r: { name: string; position: number }) => [r.name, r.position]),
      [
        ["@everyone", 0],
        ["second", 1],
        ["third", 2],
      ],
    );
    void second;
    // @everyone keeps its name and place and cannot go.
    expectStatus(
      await owner.call("PATCH", `/guilds/${id}/roles/${id}`, { name: "x" }),
      400,
      "P2CHAT_EVERYONE_ROLE",
    );
    expectStatus(
      await owner.call("PATCH", `/guilds/${id}/roles/${id}`, { position: 2 }),
      400,
      "P2CHAT_EVERYONE_ROLE",
    );
    expectStatus(await owner.call("DELETE", `/guilds/${id}/roles/${id}`), 400, "P2CHAT_EVERYONE_ROLE");
    const everyone = expectStatus(
      await owner.call("PATCH", `/guilds/${id}/roles/${id}`, { permissions: "0" }),
      200,
    );
    assert.equal(everyone.permissions, "0");
  });

  test("MANAGE_ROLES reaches only below one's highest role, and grants only what one holds", async () => {
    const { id } = await guildWith(alice, bob);
    const low = expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "low" }), 201);
    const manager = expectStatus(
      await owner.call("POST", `/guilds/${id}/roles`, { name: "manager", permissions: bits(P.MANAGE_ROLES) }),
      201,
    );
    expectStatus(await owner.call("PATCH", `/guilds/${id}/roles/${manager.id}`, { position: 2 }), 200);
    const high = expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "high" }), 201);
    expectStatus(await owner.call("PATCH", `/guilds/${id}/roles/${high.id}`, { position: 3 }), 200);
    // low 1, manager 2, high 3.
    expectStatus(await owner.call("PUT", `/guilds/${id}/members/${alice.fid}/roles/${manager.id}`), 204);

    expectStatus(await alice.call("PATCH", `/guilds/${id}/roles/${low.id}`, { name: "renamed" }), 200);
    expectStatus(
      await alice.call("PATCH", `/guilds/${id}/roles/${manager.id}`, { name: "x" }),
      403,
      "P2CHAT_ROLE_HIERARCHY",
    );
    expectStatus(
      await alice.call("PATCH", `/guilds/${id}/roles/${high.id}`, { name: "x" }),
      403,
      "P2CHAT_ROLE_HIERARCHY",
    );
    expectStatus(
      await alice.call("PATCH", `/guilds/${id}/roles/${low.id}`, { position: 2 }),
      403,
      "P2CHAT_ROLE_HIERARCHY",
    );
    expectStatus(await alice.call("DELETE", `/guilds/${id}/roles/${high.id}`), 403, "P2CHAT_ROLE_HIERARCHY");
    expectStatus(await alice.call("PUT", `/guilds/${id}/members/${bob.fid}/roles/${low.id}`), 204);
    expectStatus(
      await alice.call("PUT", `/guilds/${id}/members/${bob.fid}/roles/${manager.id}`),
      403,
      "P2CHAT_ROLE_HIERARCHY",
    );
    expectStatus(
      await alice.call("PUT", `/guilds/${id}/members/${bob.fid}/roles/${id}`),
      400,
      "P2CHAT_EVERYONE_ROLE",
    );
    expectStatus(await alice.call("PUT", `/guilds/${id}/members/${carol.fid}/roles/${low.id}`), 404);
    // Only permissions alice holds (@everyone's and MANAGE_ROLES) may be granted.
    expectStatus(
      await alice.call("PATCH", `/guilds/${id}/roles/${low.id}`, { permissions: bits(P.BAN_MEMBERS) }),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    expectStatus(
      await alice.call("POST", `/guilds/${id}/roles`, { name: "a", permissions: bits(P.ADMINISTRATOR) }),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    const made = expectStatus(
      await alice.call("POST", `/guilds/${id}/roles`, {
        name: "b",
        permissions: bits(P.MANAGE_ROLES, P.VIEW_CHANNEL),
      }),
      201,
    );
    assert.equal(made.position, 1);
    const bobsRoles = expectStatus(await owner.call("GET", `/guilds/${id}/members?limit=100`), 200).find(
      (m: { fid: string }) => m.fid === bob.fid,
    ).roles;
    assert.deepEqual(bobsRoles, [low.id]);
    expectStatus(await alice.call("DELETE", `/guilds/${id}/members/${bob.fid}/roles/${low.id}`), 204);
    expectStatus(await alice.call("DELETE", `/guilds/${id}/members/${bob.fid}/roles/${low.id}`), 204);
  });

  test("colors and names are checked", async () => {
    const { id } = await guildWith();
    expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "x", color: 0x1000000 }), 400);
    expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "" }), 400);
    expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "x", permissions: "01" }), 400);
    expectStatus(await owner.call("POST", `/guilds/${id}/roles`, { name: "x", permissions: 8 }), 400);
  });
});

describe("members, kicks and bans", () => {
  test("members page by FID with limit and after", async () => {
    const { id } = await guildWith();
    const invite = expectStatus(
      await owner.call(
        "POST",
        `/channels/${(await owner.call("GET", `/guilds/${id}/channels`)).body[0].id}/invites`,
        {},
      ),
      201,
    );
    const joined = await Promise.all(Array.from({ length: 6 }, (_, i) => localActor(server, `pager${i}`)));
    for (const actor of joined) expectStatus(await actor.call("POST", `/invites/${invite.code}`), 201);
    const everyone = [owner, ...joined].map((a) => a.fid).sort();
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = expectStatus(
        await joined[0]!.call("GET", `/guilds/${id}/members?limit=3${after ? `&after=${after}` : ""}`),
        200,
      );
      if (page.length === 0) break;
      assert.ok(page.length <= 3);
      seen.push(...page.map((m: { fid: string }) => m.fid));
      after = page[page.length - 1].fid;
    }
    assert.deepEqual(seen, everyone);
    expectStatus(await owner.call("GET", `/guilds/${id}/members?limit=0`), 400);
    expectStatus(await owner.call("GET", `/guilds/${id}/members?limit=101`), 400);
    const defaultPage = expectStatus(await owner.call("GET", `/guilds/${id}/members`), 200);
    assert.equal(defaultPage.length, everyone.length);
  });

  test("leave; the owner cannot; kick needs KICK_MEMBERS and a lower rank", async () => {
    const { id } = await guildWith(alice, bob, carol);
    expectStatus(await owner.call("DELETE", `/guilds/${id}/members/@me`), 400, "P2CHAT_OWNER_CANNOT_LEAVE");
    expectStatus(await carol.call("DELETE", `/guilds/${id}/members/@me`), 204);
    expectStatus(await carol.call("DELETE", `/guilds/${id}/members/@me`), 404);
    const mod = expectStatus(
      await owner.call("POST", `/guilds/${id}/roles`, { name: "mod", permissions: bits(P.KICK_MEMBERS) }),
      201,
    );
    expectStatus(
      await alice.call("DELETE", `/guilds/${id}/members/${bob.fid}`),
      403,
      "P2CHAT_MISSING_PERMISSION",
    );
    expectStatus(await owner.call("PUT", `/guilds/${id}/members/${alice.fid}/roles/${mod.id}`), 204);
    expectStatus(await owner.call("PUT", `/guilds/${id}/members/${bob.fid}/roles/${mod.id}`), 204);
    // Same rank: no.
    expectStatus(
      await alice.call("DELETE", `/guilds/${id}/members/${bob.fid}`),
      403,
      "P2CHAT_ROLE_HIERARCHY",
    );
    expectStatus(
      await alice.call("DELETE", `/guilds/${id}/members/${owner.fid}`),
      403,
      "P2CHAT_ROLE_HIERARCHY",
    );
    expectStatus(await owner.call("DELETE", `/guilds/${id}/members/${bob.fid}/roles/${mod.id}`), 204);
    expectStatus(await alice.call("DELETE", `/guilds/${id}/members/${bob.fid}`), 204);
    expectStatus(await alice.call("DELETE", `/guilds/${id}/members/${bob.fid}`), 404);
    expectStatus(await bob.call("GET", `/guilds/${id}`), 404);
    expectStatus(
      await alice.call("DELETE", `/guilds/${id}/members/not-a-fid`),
      400,
      "P2CORE_INVALID_FEDERATION_ID",
    );
  });

  test("a ban removes the member, blocks joining by invite or publicly, and lifts", async () => {
    const { id, channel } = await guildWith(alice, bob);
    expectStatus(await owner.call("PATCH", `/guilds/${id}`, { public: true }), 200);
    const invite = expectStatus(await owner.call("POST", `/channels/${channel}/invites`, {}), 201);
    expectStatus(await alice.call("PUT", `/guilds/${id}/bans/${bob.fid}`), 403, "P2CHAT_MISSING_PERMISSION");
    expectStatus(await owner.call("PUT", `/guilds/${id}/bans/${bob.fid}`, { reason: "spam" }), 204);
    expectStatus(await bob.call("GET", `/guilds/${id}/channels`), 404);
    expectStatus(await bob.call("POST", `/invites/${invite.code}`), 403, "P2CHAT_BANNED");
    expectStatus(await bob.call("PUT", `/guilds/${id}/members/@me`), 403, "P2CHAT_BANNED");
    assert.equal(
      (await server.storage.guildInvites.find(invite.code))?.uses,
      0,
      "a refused join spends no use",
    );
    // Ahead of joining; and never the owner or oneself.
    expectStatus(await owner.call("PUT", `/guilds/${id}/bans/${carol.fid.toUpperCase()}`), 204);
    expectStatus(await carol.call("POST", `/invites/${invite.code}`), 403, "P2CHAT_BANNED");
    expectStatus(await owner.call("PUT", `/guilds/${id}/bans/${owner.fid}`), 403, "P2CHAT_ROLE_HIERARCHY");
    const bans = expectStatus(await owner.call("GET", `/guilds/${id}/bans`), 200);
    assert.deepEqual(
      bans.map((b: { fid: string; reason: string | null; bannedBy: string }) => [
        b.fid,
        b.reason,
        b.bannedBy,
      ]),
      [
        [bob.fid, "spam", owner.fid],
        [carol.fid, null, owner.fid],
      ].sort(),
    );
    expectStatus(await alice.call("GET", `/guilds/${id}/bans`), 403);
    expectStatus(await owner.call("DELETE", `/guilds/${id}/bans/${bob.fid}`), 204);
    expectStatus(await owner.call("DELETE", `/guilds/${id}/bans/${bob.fid}`), 404);
    expectStatus(await bob.call("POST", `/invites/${invite.code}`), 201);
  });
});

describe("invites", () => {
  test("defaults: a day, unlimited; preview shows guild, channel and member count", async () => {
    const { id, channel } = await guildWith(alice);
    const invite = expectStatus(await alice.call("POST", `/channels/${channel}/invites`), 201);
    assert.match(invite.code, /^[A-Za-z0-9]{10}$/);
    assert.deepEqual(
      [invite.maxAge, invite.maxUses, invite.uses, invite.inviterFid],
      [86400, 0, 0, alice.fid],
    );
    assert.equal(invite.expiresAt - invite.createdAt, 86_400_000);
    const forever = expectStatus(
      await owner.call("POST", `/channels/${channel}/invites`, { maxAge: 0, maxUses: 0 }),
      201,
    );
    assert.equal(forever.expiresAt, null);
    const preview = expectStatus(await carol.call("GET", `/invites/${invite.code}`), 200);
    assert.equal(preview.guild.id, id);
    assert.deepEqual(preview.channel, { id: channel, name: "general", type: 1 });
    assert.equal(preview.memberCount, 2);
    expectStatus(await carol.call("GET", "/invites/nonexistent"), 404, "P2CHAT_NOT_FOUND");
    expectStatus(await carol.call("GET", "/invites/bad-code!"), 400);
    // Listing needs MANAGE_GUILD.
    expectStatus(await alice.call("GET", `/guilds/${id}/invites`), 403);
    const listed = expectStatus(await owner.call("GET", `/guilds/${id}/invites`), 200);
    const codes = listed.map((i: { code: string }) => i.code);
    assert.ok(codes.includes(invite.code) && codes.includes(forever.code));
    assert.equal(codes.length, 3, "with guildWith's own");
    const times = listed.map((i: { createdAt: number }) => i.createdAt);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => y - x),
      "newest first",
    );
    expectStatus(await owner.call("POST", `/channels/${channel}/invites`, { maxAge: -1 }), 400);
    expectStatus(await owner.call("POST", `/channels/${channel}/invites`, { maxUses: 1.5 }), 400);
  });

  test("max uses: exactly that many joins, even at once; a member joining again spends nothing", async () => {
    const { channel } = await guildWith();
    const invite = expectStatus(
      await owner.call("POST", `/channels/${channel}/invites`, { maxUses: 2 }),
      201,
    );
    const racers = await Promise.all(Array.from({ length: 5 }, (_, i) => localActor(server, `racer${i}`)));
    const answers = await Promise.all(racers.map((actor) => actor.call("POST", `/invites/${invite.code}`)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 404, 404, 404]);
    const winner = racers[answers.findIndex((a) => a.status === 201)]!;
    expectStatus(await winner.call("POST", `/invites/${invite.code}`), 404);
    expectStatus(await winner.call("GET", `/invites/${invite.code}`), 404);
    // An unlimited one: a member joining again gets 200 and spends no use.
    const open = expectStatus(await owner.call("POST", `/channels/${channel}/invites`, { maxUses: 0 }), 201);
    expectStatus(await winner.call("POST", `/invites/${open.code}`), 200);
    assert.equal((await server.storage.guildInvites.find(open.code))?.uses, 0);
  });

  test("an expired invite neither previews nor joins", async () => {
    const { id, channel } = await guildWith();
    const code = "expiredcode1";
    await server.storage.guildInvites.create({
      code,
      guildId: id,
      channelId: channel,
      inviterFid: owner.fid,
      uses: 0,
      maxUses: null,
      expiresAt: Date.now() - 1,
      createdAt: Date.now() - 1000,
    });
    expectStatus(await carol.call("GET", `/invites/${code}`), 404);
    expectStatus(await carol.call("POST", `/invites/${code}`), 404);
    assert.equal(await server.storage.members.find(id, carol.fid), undefined);
  });

  test("delete: its creator, MANAGE_GUILD or MANAGE_CHANNEL; others 403, strangers 404", async () => {
    const { channel } = await guildWith(alice, bob);
    const mine = expectStatus(await alice.call("POST", `/channels/${channel}/invites`, {}), 201);
    const owners = expectStatus(await owner.call("POST", `/channels/${channel}/invites`, {}), 201);
    expectStatus(await carol.call("DELETE", `/invites/${mine.code}`), 404);
    expectStatus(await bob.call("DELETE", `/invites/${mine.code}`), 403);
    expectStatus(await alice.call("DELETE", `/invites/${owners.code}`), 403);
    expectStatus(await alice.call("DELETE", `/invites/${mine.code}`), 204);
    expectStatus(await owner.call("DELETE", `/invites/${owners.code}`), 204);
    expectStatus(await owner.call("DELETE", `/invites/${owners.code}`), 404);
  });

  test("an invite to a category is refused; deleting the channel deletes its invites", async () => {
    const { id } = await guildWith();
    const cat = expectStatus(await owner.call("POST", `/guilds/${id}/channels`, { name: "c", type: 4 }), 201);
    expectStatus(
      await owner.call("POST", `/channels/${cat.id}/invites`, {}),
      400,
      "P2CHAT_INVALID_CHANNEL_TYPE",
    );
    const text = expectStatus(await owner.call("POST", `/guilds/${id}/channels`, { name: "t" }), 201);
    const invite = expectStatus(await owner.call("POST", `/channels/${text.id}/invites`, {}), 201);
    expectStatus(await owner.call("DELETE", `/channels/${text.id}`), 204);
    expectStatus(await carol.call("GET", `/invites/${invite.code}`), 404);
  });
});

describe("rate limits (PROFILE §4)", () => {
  test("5 guild operations a minute and 5 channel creations in 5 minutes per actor, with headers", async () => {
    const limited = await startTestServer({ env: { P2_DOMAIN: "rl.test" } });
    try {
      const dave = await localActor(limited, "dave");
      const erin = await localActor(limited, "erin");
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await dave.call("POST", "/guilds", { name: `g${i}` }));
      assert.deepEqual(
        answers.map((a) => a.status),
        [201, 201, 201, 201, 201, 429],
      );
      assert.equal(answers[0]!.headers.get("x-ratelimit-limit"), "5");
      assert.equal(answers[0]!.headers.get("x-ratelimit-remaining"), "4");
      expectStatus(answers[5]!, 429, "P2CORE_RATE_LIMITED");
      assert.ok(Number(answers[5]!.headers.get("retry-after")) > 0);
      // Another actor has a budget of their own; reading is not limited.
      expectStatus(await erin.call("POST", "/guilds", { name: "e" }), 201);
      expectStatus(await dave.call("GET", `/guilds/${answers[0]!.body.id}`), 200);
      const guild = answers[0]!.body.id;
      const channels = [];
      for (let i = 0; i < 6; i++)
        channels.push(await dave.call("POST", `/guilds/${guild}/channels`, { name: `c${i}` }));
      assert.deepEqual(
        channels.map((a) => a.status),
        [201, 201, 201, 201, 201, 429],
      );
    } finally {
      await limited.close();
    }
  });
});
