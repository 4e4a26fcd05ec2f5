/**
 * The authorization matrix: every route of the guild side × {the owner, a member whose role has the
 * route's permission (local, and foreign), a member without it, a local non-member, a foreign
 * non-member, a banned actor} → the expected status. Every 404 must be the very answer an unknown ID
 * gets (nothing leaks), every 403 a visible thing without the permission. Foreign actors are of
 * h.test and authenticated on g.test by key trial.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Permission, type PermissionName } from "@p2chat/polyproto";
import { ulid } from "ulid";
import { startTestServer, type TestServer } from "../../testing.js";
import {
  type Actor,
  type Answer,
  CHAT,
  expectStatus,
  foreignActor,
  localActor,
  PASSWORD,
} from "./actors.test-helper.js";

const P = Permission;
let g: TestServer;
let h: TestServer;

type Column =
  | "permitted"
  | "foreignPermitted"
  | "unpermitted"
  | "stranger"
  | "foreigner"
  | "banned"
  | "owner";
/** The owner goes last: some of its requests (deleting the guild) end the fixture. */
const COLUMNS: readonly Column[] = [
  "permitted",
  "foreignPermitted",
  "unpermitted",
  "stranger",
  "foreigner",
  "banned",
  "owner",
];
let actors: Record<Column, Actor>;

before(async () => {
  h = await startTestServer({ env: { P2_DOMAIN: "h.test" } });
  g = await startTestServer({
    env: { P2_DOMAIN: "g.test", P2_PEERS: JSON.stringify({ "h.test": h.url }), P2_RATE_LIMITS: "off" },
  });
  const [owner, permitted, unpermitted, stranger, banned] = await Promise.all(
    ["owner", "permitted", "unpermitted", "stranger", "banned"].map((name) => localActor(g, name)),
  );
  const [foreignPermitted, foreigner] = await Promise.all([
    foreignActor(h, g, "fiona"),
    foreignActor(h, g, "frank"),
  ]);
  actors = {
    owner: owner!,
    permitted: permitted!,
    unpermitted: unpermitted!,
    stranger: stranger!,
    banned: banned!,
    foreignPermitted,
    foreigner,
  };
});
after(async () => {
  await g.close();
  await h.close();
});

/** One guild per row: owner, two members holding a role with the row's permission, one without, one banned. */
interface Fixture {
  readonly guildId: string;
  /** A text channel everyone in the guild sees. */
  readonly channelId: string;
  /** The role of `permitted` and `foreignPermitted`. */
  readonly roleId: string;
  readonly inviteCode: string;
}

let victims = 0;

async function fixture(
  permission: PermissionName | undefined,
  options: { public?: boolean } = {},
): Promise<Fixture> {
  const { owner } = actors;
  const guild = expectStatus(
    await owner.call("POST", "/guilds", { name: "matrix", public: options.public ?? false }),
    201,
  );
  // @everyone without CREATE_INVITE (a default), so that "a member without it" exists for every permission.
  const everyone = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY;
  expectStatus(
    await owner.call("PATCH", `/guilds/${guild.id}/roles/${guild.id}`, { permissions: everyone.toString() }),
    200,
  );
  const channel = expectStatus(
    await owner.call("POST", `/guilds/${guild.id}/channels`, { name: "general" }),
    201,
  );
  const invite = expectStatus(
    await owner.call("POST", `/channels/${channel.id}/invites`, { maxAge: 0 }),
    201,
  );
  for (const column of ["permitted", "foreignPermitted", "unpermitted", "banned"] as const) {
    expectStatus(await actors[column].call("POST", `/invites/${invite.code}`), 201);
  }
  const bitsOfRole = permission ? P[permission] : P.ADD_REACTIONS;
  const role = expectStatus(
    await owner.call("POST", `/guilds/${guild.id}/roles`, {
      name: "granted",
      permissions: bitsOfRole.toString(),
    }),
    201,
  );
  for (const column of ["permitted", "foreignPermitted"] as const) {
    expectStatus(
      await owner.call("PUT", `/guilds/${guild.id}/members/${actors[column].fid}/roles/${role.id}`),
      204,
    );
  }
  expectStatus(await owner.call("PUT", `/guilds/${guild.id}/bans/${actors.banned.fid}`), 204);
  return { guildId: guild.id, channelId: channel.id, roleId: role.id, inviteCode: invite.code };
}

/** A member with no role (joined through storage: they never act). */
async function victim(fx: Fixture): Promise<string> {
  const fid = `victim${++victims}@g.test`;
  assert.ok(await g.storage.members.add({ guildId: fx.guildId, fid, joinedAt: Date.now() }));
  return fid;
}

/** A role created now by the owner: position 1, below the fixture's role. */
async function lowRole(fx: Fixture): Promise<string> {
  return expectStatus(await actors.owner.call("POST", `/guilds/${fx.guildId}/roles`, { name: "low" }), 201)
    .id;
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

type Expectation = Record<Column, number>;

/** Needs the permission: the owner and holders may, other members 403, everyone else 404. */
const needs = (ok: number): Expectation => ({
  owner: ok,
  permitted: ok,
  foreignPermitted: ok,
  unpermitted: 403,
  stranger: 404,
  foreigner: 404,
  banned: 404,
});
/** Any member may; nobody else sees the guild. */
const members = (ok: number): Expectation => ({ ...needs(ok), unpermitted: ok });
const everybody = (ok: number): Expectation => ({ ...members(ok), stranger: ok, foreigner: ok, banned: ok });

interface Row {
  readonly route: string;
  /** The permission of the fixture's role (what "permitted" holds). */
  readonly permission?: PermissionName;
  readonly public?: boolean;
  readonly expect: Expectation;
  /** Builds the request of one actor (fresh targets where the request destroys its target). */
  readonly request: (fx: Fixture, column: Column) => Promise<Request>;
}

const ROWS: readonly Row[] = [
  {
    route: "POST /guilds",
    expect: { ...everybody(201), foreignPermitted: 403, foreigner: 403 },
    request: async () => ({ method: "POST", path: "/guilds", body: { name: "mine" } }),
  },
  { route: "GET /guilds", expect: everybody(200), request: async () => ({ method: "GET", path: "/guilds" }) },
  {
    route: "GET /guilds?public=true",
    expect: everybody(200),
    request: async () => ({ method: "GET", path: "/guilds?public=true" }),
  },
  {
    route: "GET /guilds/{guildId}",
    expect: members(200),
    request: async (fx) => ({ method: "GET", path: `/guilds/${fx.guildId}` }),
  },
  {
    route: "PATCH /guilds/{guildId}",
    permission: "MANAGE_GUILD",
    expect: needs(200),
    request: async (fx) => ({ method: "PATCH", path: `/guilds/${fx.guildId}`, body: { name: "renamed" } }),
  },
  {
    route: "DELETE /guilds/{guildId}",
    // Not even administrators: the owner only.
    permission: "ADMINISTRATOR",
    expect: { ...needs(403), owner: 204 },
    request: async (fx) => ({
      method: "DELETE",
      path: `/guilds/${fx.guildId}`,
      headers: { "x-p2-sensitive-solution": PASSWORD },
    }),
  },
  {
    route: "GET /guilds/{guildId}/channels",
    expect: members(200),
    request: async (fx) => ({ method: "GET", path: `/guilds/${fx.guildId}/channels` }),
  },
  {
    route: "POST /guilds/{guildId}/channels",
    permission: "MANAGE_CHANNEL",
    expect: needs(201),
    request: async (fx) => ({
      method: "POST",
      path: `/guilds/${fx.guildId}/channels`,
      body: { name: "new" },
    }),
  },
  {
    route: "GET /channels/{channelId}",
    expect: members(200),
    request: async (fx) => ({ method: "GET", path: `/channels/${fx.channelId}` }),
  },
  {
    route: "PATCH /channels/{channelId}",
    permission: "MANAGE_CHANNEL",
    expect: needs(200),
    request: async (fx) => ({ method: "PATCH", path: `/channels/${fx.channelId}`, body: { topic: "t" } }),
  },
  {
    route: "DELETE /channels/{channelId}",
    permission: "MANAGE_CHANNEL",
    expect: needs(204),
    request: async (fx) => {
      const channel = await actors.owner.call("POST", `/guilds/${fx.guildId}/channels`, { name: "doomed" });
      return { method: "DELETE", path: `/channels/${expectStatus(channel, 201).id}` };
    },
  },
  {
    route: "PUT /channels/{channelId}/overwrites/{targetId}",
    permission: "MANAGE_ROLES",
    expect: needs(204),
    request: async (fx) => ({
      method: "PUT",
      path: `/channels/${fx.channelId}/overwrites/${await victim(fx)}`,
      body: { type: "member", allow: P.VIEW_CHANNEL.toString(), deny: "0" },
    }),
  },
  {
    route: "DELETE /channels/{channelId}/overwrites/{targetId}",
    permission: "MANAGE_ROLES",
    expect: needs(204),
    request: async (fx) => {
      const target = await victim(fx);
      const body = { type: "member", allow: P.VIEW_CHANNEL.toString(), deny: "0" };
      expectStatus(
        await actors.owner.call("PUT", `/channels/${fx.channelId}/overwrites/${target}`, body),
        204,
      );
      return { method: "DELETE", path: `/channels/${fx.channelId}/overwrites/${target}` };
    },
  },
  {
    route: "GET /guilds/{guildId}/roles",
    expect: members(200),
    request: async (fx) => ({ method: "GET", path: `/guilds/${fx.guildId}/roles` }),
  },
  {
    route: "POST /guilds/{guildId}/roles",
    permission: "MANAGE_ROLES",
    expect: needs(201),
    request: async (fx) => ({ method: "POST", path: `/guilds/${fx.guildId}/roles`, body: { name: "r" } }),
  },
  {
    route: "PATCH /guilds/{guildId}/roles/{roleId}",
    permission: "MANAGE_ROLES",
    expect: needs(200),
    request: async (fx) => ({
      method: "PATCH",
      path: `/guilds/${fx.guildId}/roles/${await lowRole(fx)}`,
      body: { color: 0x00ff00 },
    }),
  },
  {
    route: "DELETE /guilds/{guildId}/roles/{roleId}",
    permission: "MANAGE_ROLES",
    expect: needs(204),
    request: async (fx) => ({ method: "DELETE", path: `/guilds/${fx.guildId}/roles/${await lowRole(fx)}` }),
  },
  {
    route: "PUT /guilds/{guildId}/members/{fid}/roles/{roleId}",
    permission: "MANAGE_ROLES",
    expect: needs(204),
    request: async (fx) => ({
      method: "PUT",
      path: `/guilds/${fx.guildId}/members/${await victim(fx)}/roles/${await lowRole(fx)}`,
    }),
  },
  {
    route: "DELETE /guilds/{guildId}/members/{fid}/roles/{roleId}",
    permission: "MANAGE_ROLES",
    expect: needs(204),
    request: async (fx) => {
      const target = await victim(fx);
      const role = await lowRole(fx);
      expectStatus(
        await actors.owner.call("PUT", `/guilds/${fx.guildId}/members/${target}/roles/${role}`),
        204,
      );
      return { method: "DELETE", path: `/guilds/${fx.guildId}/members/${target}/roles/${role}` };
    },
  },
  {
    route: "GET /guilds/{guildId}/members",
    expect: members(200),
    request: async (fx) => ({ method: "GET", path: `/guilds/${fx.guildId}/members?limit=10` }),
  },
  {
    route: "PUT /guilds/{guildId}/members/@me (public guild)",
    public: true,
    expect: { ...members(200), stranger: 201, foreigner: 201, banned: 403 },
    request: async (fx) => ({ method: "PUT", path: `/guilds/${fx.guildId}/members/@me` }),
  },
  {
    route: "DELETE /guilds/{guildId}/members/@me",
    expect: { ...members(204), owner: 400 },
    request: async (fx) => ({ method: "DELETE", path: `/guilds/${fx.guildId}/members/@me` }),
  },
  {
    route: "DELETE /guilds/{guildId}/members/{fid}",
    permission: "KICK_MEMBERS",
    expect: needs(204),
    request: async (fx) => ({ method: "DELETE", path: `/guilds/${fx.guildId}/members/${await victim(fx)}` }),
  },
  {
    route: "PUT /guilds/{guildId}/bans/{fid}",
    permission: "BAN_MEMBERS",
    expect: needs(204),
    request: async (fx) => ({ method: "PUT", path: `/guilds/${fx.guildId}/bans/${await victim(fx)}` }),
  },
  {
    route: "DELETE /guilds/{guildId}/bans/{fid}",
    permission: "BAN_MEMBERS",
    expect: needs(204),
    request: async (fx) => {
      const target = await victim(fx);
      expectStatus(await actors.owner.call("PUT", `/guilds/${fx.guildId}/bans/${target}`), 204);
      return { method: "DELETE", path: `/guilds/${fx.guildId}/bans/${target}` };
    },
  },
  {
    route: "GET /guilds/{guildId}/bans",
    permission: "BAN_MEMBERS",
    expect: needs(200),
    request: async (fx) => ({ method: "GET", path: `/guilds/${fx.guildId}/bans` }),
  },
  {
    route: "POST /channels/{channelId}/invites",
    permission: "CREATE_INVITE",
    expect: needs(201),
    request: async (fx) => ({ method: "POST", path: `/channels/${fx.channelId}/invites`, body: {} }),
  },
  {
    route: "GET /guilds/{guildId}/invites",
    permission: "MANAGE_GUILD",
    expect: needs(200),
    request: async (fx) => ({ method: "GET", path: `/guilds/${fx.guildId}/invites` }),
  },
  {
    route: "GET /invites/{code}",
    expect: everybody(200),
    request: async (fx) => ({ method: "GET", path: `/invites/${fx.inviteCode}` }),
  },
  {
    route: "POST /invites/{code}",
    expect: { ...members(200), stranger: 201, foreigner: 201, banned: 403 },
    request: async (fx) => ({ method: "POST", path: `/invites/${fx.inviteCode}` }),
  },
  {
    route: "DELETE /invites/{code}",
    permission: "MANAGE_GUILD",
    expect: needs(204),
    request: async (fx) => {
      const invite = await actors.owner.call("POST", `/channels/${fx.channelId}/invites`, {});
      return { method: "DELETE", path: `/invites/${expectStatus(invite, 201).code}` };
    },
  },
];

/** The same request with every ID of the fixture replaced by one that does not exist. */
function unknownTwin(request: Request, fx: Fixture): Request {
  let path = request.path;
  for (const id of [fx.guildId, fx.channelId, fx.roleId]) path = path.replaceAll(id, ulid());
  path = path.replace(/\/invites\/[A-Za-z0-9]{10}$/, "/invites/Nonexistent");
  return { ...request, path };
}

async function send(actor: Actor, request: Request): Promise<Answer> {
  return actor.call(request.method, request.path, request.body, request.headers);
}

const EXPECTED_403: Record<string, string> = {
  "POST /guilds": "P2CORE_LOCAL_ACTORS_ONLY",
  "PUT /guilds/{guildId}/members/@me (public guild)": "P2CHAT_BANNED",
  "POST /invites/{code}": "P2CHAT_BANNED",
};

describe("authorization matrix", () => {
  for (const row of ROWS) {
    test(row.route, async () => {
      const fx = await fixture(row.permission, { public: row.public ?? false });
      const got: Partial<Record<Column, number>> = {};
      for (const column of COLUMNS) {
        const request = await row.request(fx, column);
        const answer = await send(actors[column], request);
        got[column] = answer.status;
        if (answer.status === 404) {
          assert.equal(
            (answer.body as { error: string }).error,
            "P2CHAT_NOT_FOUND",
            `${column}: ${JSON.stringify(answer.body)}`,
          );
          // Nothing leaks: exactly what a request for something that does not exist gets.
          const twin = await send(actors[column], unknownTwin(request, fx));
          assert.deepEqual(answer.body, twin.body, `${column}: 404 differs from an unknown ID's`);
        } else if (answer.status === 403) {
          const code = EXPECTED_403[row.route] ?? "P2CHAT_MISSING_PERMISSION";
          assert.equal(
            (answer.body as { error: string }).error,
            code,
            `${column}: ${JSON.stringify(answer.body)}`,
          );
        }
      }
      assert.deepEqual(got, row.expect);
    });
  }

  test("every route answers 401 without a token", async () => {
    const fx = await fixture(undefined);
    for (const row of ROWS) {
      const request = await row.request(fx, "owner");
      const res = await fetch(`${g.url}${CHAT}${request.path}`, {
        method: request.method,
        ...(request.body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(request.body) }),
      });
      assert.equal(res.status, 401, row.route);
      assert.equal(((await res.json()) as { error: string }).error, "P2CORE_UNAUTHORIZED");
    }
  });
});

describe("channels a member cannot view answer as if they did not exist", () => {
  test("a member with guild-wide MANAGE_CHANNEL and MANAGE_ROLES gets 404 on a channel hidden from them", async () => {
    const fx = await fixture("MANAGE_CHANNEL");
    const { owner, permitted } = actors;
    expectStatus(
      await owner.call("PATCH", `/guilds/${fx.guildId}/roles/${fx.roleId}`, {
        permissions: (P.MANAGE_CHANNEL | P.MANAGE_ROLES | P.CREATE_INVITE).toString(),
      }),
      200,
    );
    const hidden = expectStatus(
      await owner.call("POST", `/guilds/${fx.guildId}/channels`, {
        name: "hidden",
        overwrites: [{ id: fx.guildId, type: "role", allow: "0", deny: P.VIEW_CHANNEL.toString() }],
      }),
      201,
    ).id;
    const unknown = ulid();
    const requests = (id: string): Request[] => [
      { method: "GET", path: `/channels/${id}` },
      { method: "PATCH", path: `/channels/${id}`, body: { name: "x" } },
      { method: "DELETE", path: `/channels/${id}` },
      { method: "POST", path: `/channels/${id}/invites`, body: {} },
      {
        method: "PUT",
        path: `/channels/${id}/overwrites/${permitted.fid}`,
        body: { type: "member", allow: "0", deny: "0" },
      },
      { method: "DELETE", path: `/channels/${id}/overwrites/${fx.guildId}` },
    ];
    const seen = requests(hidden);
    const twins = requests(unknown);
    for (let i = 0; i < seen.length; i++) {
      const answer = await send(permitted, seen[i]!);
      const twin = await send(permitted, twins[i]!);
      assert.equal(answer.status, 404, `${seen[i]!.method} ${seen[i]!.path}`);
      assert.deepEqual(answer.body, twin.body);
    }
    // Nor is it listed, nor usable as a parent.
    const listed = expectStatus(await permitted.call("GET", `/guilds/${fx.guildId}/channels`), 200);
    assert.ok(!listed.some((c: { id: string }) => c.id === hidden));
    const asParent = await permitted.call("POST", `/guilds/${fx.guildId}/channels`, {
      name: "t",
      type: 2,
      parentId: hidden,
    });
    const unknownParent = await permitted.call("POST", `/guilds/${fx.guildId}/channels`, {
      name: "t",
      type: 2,
      parentId: unknown,
    });
    assert.equal(asParent.status, 400);
    assert.deepEqual(asParent.body, unknownParent.body);
    // The message side's question gets the same answer.
    await assert.rejects(
      g.app.services.chatAccess.channelFor(permitted.fid, hidden),
      (error: Error & { status?: number }) => {
        assert.equal(error.status, 404);
        return true;
      },
    );
  });

  test("a foreign member sees and manages a channel like a local one, through ChatAccess too", async () => {
    const fx = await fixture("MANAGE_CHANNEL");
    const view = await g.app.services.chatAccess.channelFor(actors.foreignPermitted.fid, fx.channelId);
    assert.deepEqual(
      { ...view, permissions: view.permissions.toString() },
      {
        channelId: fx.channelId,
        guildId: fx.guildId,
        type: 1,
        encrypted: false,
        permissions: (
          P.VIEW_CHANNEL |
          P.SEND_MESSAGES |
          P.READ_MESSAGE_HISTORY |
          P.MANAGE_CHANNEL
        ).toString(),
        topic: `channel:${fx.channelId}`,
      },
    );
    await assert.rejects(g.app.services.chatAccess.channelFor(actors.foreigner.fid, fx.channelId));
    await assert.rejects(g.app.services.chatAccess.channelFor(actors.banned.fid, fx.channelId));
    await assert.rejects(g.app.services.chatAccess.channelFor(actors.owner.fid, ulid()));
  });
});
