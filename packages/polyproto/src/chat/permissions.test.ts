import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ALL_PERMISSIONS,
  basePermissions,
  canManageRole,
  channelPermissions,
  DEFAULT_EVERYONE_PERMISSIONS,
  formatPermissions,
  hasPermission,
  highestPosition,
  type MemberContext,
  type Overwrite,
  outranks,
  Permission,
  type PermissionContext,
  parsePermissions,
  type RoleHierarchy,
} from "./permissions.js";

const P = Permission;
const GUILD = "01GUILD";
const OWNER = "owner@a.test";
const MOD = "01ROLEMOD";
const HELPER = "01ROLEHELPER";
const ADMIN = "01ROLEADMIN";

const guild: PermissionContext = {
  guildId: GUILD,
  ownerFid: OWNER,
  everyone: DEFAULT_EVERYONE_PERMISSIONS,
  roles: new Map([
    [MOD, P.KICK_MEMBERS | P.MANAGE_MESSAGES],
    [HELPER, P.MANAGE_CHANNEL],
    [ADMIN, P.ADMINISTRATOR],
  ]),
};
const member = (fid: string, ...roleIds: string[]): MemberContext => ({ fid, roleIds });
const plain = member("plain@a.test");
const mod = member("mod@b.test", MOD);
const both = member("both@a.test", MOD, HELPER);
const admin = member("admin@a.test", ADMIN);
const owner = member(OWNER);

const roleOw = (id: string, allow: bigint, deny: bigint): Overwrite => ({ id, type: "role", allow, deny });
const memberOw = (id: string, allow: bigint, deny: bigint): Overwrite => ({
  id,
  type: "member",
  allow,
  deny,
});

describe("the bitfield (PROFILE §7)", () => {
  test("bit positions are Discord's", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(P).map(([name, bit]) => [name, bit.toString(2).length - 1])),
      {
        CREATE_INVITE: 0,
        KICK_MEMBERS: 1,
        BAN_MEMBERS: 2,
        ADMINISTRATOR: 3,
        MANAGE_CHANNEL: 4,
        MANAGE_GUILD: 5,
        ADD_REACTIONS: 6,
        VIEW_CHANNEL: 10,
        SEND_MESSAGES: 11,
        MANAGE_MESSAGES: 13,
        ATTACH_FILES: 15,
        READ_MESSAGE_HISTORY: 16,
        MENTION_EVERYONE: 17,
        MANAGE_ROLES: 28,
      },
    );
    assert.equal(
      ALL_PERMISSIONS,
      Object.values(P).reduce((a, b) => a | b, 0n),
    );
  });

  test("@everyone's defaults are exactly the profile's six", () => {
    assert.equal(
      DEFAULT_EVERYONE_PERMISSIONS,
      P.VIEW_CHANNEL |
        P.SEND_MESSAGES |
        P.READ_MESSAGE_HISTORY |
        P.ADD_REACTIONS |
        P.CREATE_INVITE |
        P.ATTACH_FILES,
    );
    assert.equal(formatPermissions(DEFAULT_EVERYONE_PERMISSIONS), "101441");
  });

  test("hasPermission wants every bit asked for", () => {
    assert.equal(hasPermission(P.KICK_MEMBERS | P.BAN_MEMBERS, P.KICK_MEMBERS), true);
    assert.equal(hasPermission(P.KICK_MEMBERS, P.KICK_MEMBERS | P.BAN_MEMBERS), false);
    assert.equal(hasPermission(0n, 0n), true);
  });

  test("parse accepts canonical decimal strings below 2^64 and nothing else", () => {
    for (const [text, value] of [
      ["0", 0n],
      ["1", 1n],
      ["101441", DEFAULT_EVERYONE_PERMISSIONS],
      ["9223372036854775808", 1n << 63n],
      ["18446744073709551615", (1n << 64n) - 1n],
    ] as const) {
      assert.equal(parsePermissions(text), value, text);
      assert.equal(formatPermissions(value), text);
    }
    for (const bad of [
      "18446744073709551616",
      "99999999999999999999",
      "123456789012345678901",
      "01",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1.0",
      "1e3",
      "0x10",
      "",
      "١",
      8,
      8n,
      null,
      undefined,
      ["1"],
    ]) {
      assert.equal(parsePermissions(bad), undefined, JSON.stringify(String(bad)));
    }
  });
});

describe("base permissions", () => {
  test("@everyone alone, then the union with every role held", () => {
    assert.equal(basePermissions(guild, plain), DEFAULT_EVERYONE_PERMISSIONS);
    assert.equal(
      basePermissions(guild, mod),
      DEFAULT_EVERYONE_PERMISSIONS | P.KICK_MEMBERS | P.MANAGE_MESSAGES,
    );
    assert.equal(
      basePermissions(guild, both),
      DEFAULT_EVERYONE_PERMISSIONS | P.KICK_MEMBERS | P.MANAGE_MESSAGES | P.MANAGE_CHANNEL,
    );
  });

  test("unknown role IDs add nothing; unknown bits are dropped", () => {
    assert.equal(basePermissions(guild, member("x@a.test", "01GONE")), DEFAULT_EVERYONE_PERMISSIONS);
    const noisy = { ...guild, everyone: P.VIEW_CHANNEL | (1n << 40n) | (1n << 63n) };
    assert.equal(basePermissions(noisy, plain), P.VIEW_CHANNEL);
  });

  test("an @everyone without permissions gives nothing", () => {
    assert.equal(basePermissions({ ...guild, everyone: 0n }, plain), 0n);
  });

  test("ADMINISTRATOR, from any role or from @everyone, is every permission", () => {
    assert.equal(basePermissions(guild, admin), ALL_PERMISSIONS);
    assert.equal(basePermissions({ ...guild, everyone: P.ADMINISTRATOR }, plain), ALL_PERMISSIONS);
  });

  test("the owner has every permission, whatever @everyone and roles say", () => {
    assert.equal(basePermissions({ ...guild, everyone: 0n }, owner), ALL_PERMISSIONS);
  });
});

describe("channel permissions: Discord's order of evaluation", () => {
  test("no overwrites: the base permissions", () => {
    assert.equal(channelPermissions(guild, mod, []), basePermissions(guild, mod));
  });

  test("@everyone's overwrite applies first: deny, then allow", () => {
    const ow = [roleOw(GUILD, P.MANAGE_MESSAGES, P.ADD_REACTIONS)];
    const got = channelPermissions(guild, plain, ow);
    assert.equal(got & P.ADD_REACTIONS, 0n);
    assert.equal(got & P.MANAGE_MESSAGES, P.MANAGE_MESSAGES);
    // The same bit allowed and denied in one overwrite: allow wins (deny is applied first).
    const same = channelPermissions(guild, plain, [roleOw(GUILD, P.ADD_REACTIONS, P.ADD_REACTIONS)]);
    assert.equal(same & P.ADD_REACTIONS, P.ADD_REACTIONS);
  });

  test("role overwrites override @everyone's and are combined: one role's allow beats another's deny", () => {
    const ow = [roleOw(GUILD, 0n, P.ADD_REACTIONS), roleOw(MOD, P.ADD_REACTIONS, 0n)];
    assert.equal(channelPermissions(guild, mod, ow) & P.ADD_REACTIONS, P.ADD_REACTIONS);
    assert.equal(channelPermissions(guild, plain, ow) & P.ADD_REACTIONS, 0n);
    const split = [roleOw(MOD, 0n, P.ADD_REACTIONS), roleOw(HELPER, P.ADD_REACTIONS, 0n)];
    assert.equal(channelPermissions(guild, both, split) & P.ADD_REACTIONS, P.ADD_REACTIONS);
    assert.equal(channelPermissions(guild, mod, split) & P.ADD_REACTIONS, 0n);
  });

  test("overwrites of roles the member does not hold are ignored", () => {
    const ow = [roleOw(HELPER, P.MANAGE_GUILD, P.SEND_MESSAGES)];
    assert.equal(channelPermissions(guild, mod, ow), basePermissions(guild, mod));
  });

  test("the member's own overwrite comes last and beats role overwrites both ways", () => {
    const denyRoleAllowMember = [roleOw(MOD, 0n, P.ADD_REACTIONS), memberOw(mod.fid, P.ADD_REACTIONS, 0n)];
    assert.equal(channelPermissions(guild, mod, denyRoleAllowMember) & P.ADD_REACTIONS, P.ADD_REACTIONS);
    const allowRoleDenyMember = [roleOw(MOD, P.MANAGE_GUILD, 0n), memberOw(mod.fid, 0n, P.MANAGE_GUILD)];
    assert.equal(channelPermissions(guild, mod, allowRoleDenyMember) & P.MANAGE_GUILD, 0n);
    // Another member's overwrite is not this member's.
    const other = [memberOw("someone@else.test", 0n, P.ADD_REACTIONS)];
    assert.equal(channelPermissions(guild, mod, other) & P.ADD_REACTIONS, P.ADD_REACTIONS);
  });

  test("a member overwrite whose ID equals a held role's is not a role overwrite, and the reverse", () => {
    assert.equal(
      channelPermissions(guild, mod, [memberOw(MOD, 0n, P.ADD_REACTIONS)]) & P.ADD_REACTIONS,
      P.ADD_REACTIONS,
    );
    assert.equal(
      channelPermissions(guild, mod, [roleOw(mod.fid, 0n, P.ADD_REACTIONS)]) & P.ADD_REACTIONS,
      P.ADD_REACTIONS,
    );
  });

  test("the order of the overwrite list does not matter", () => {
    const ow = [
      memberOw(both.fid, P.MANAGE_GUILD, 0n),
      roleOw(HELPER, P.MANAGE_ROLES, P.ADD_REACTIONS),
      roleOw(GUILD, P.BAN_MEMBERS, P.SEND_MESSAGES),
      roleOw(MOD, P.ADD_REACTIONS, P.BAN_MEMBERS),
    ];
    const expected = channelPermissions(guild, both, ow);
    for (const order of [[...ow].reverse(), [ow[2]!, ow[0]!, ow[3]!, ow[1]!]]) {
      assert.equal(channelPermissions(guild, both, order), expected);
    }
    // Worked by hand: base → @everyone (−SEND +BAN) → roles (allow ADD_REACTIONS|MANAGE_ROLES, deny
    // ADD_REACTIONS|BAN; allow wins for ADD_REACTIONS) → member (+MANAGE_GUILD); no SEND: no ATTACH.
    const base = basePermissions(guild, both);
    let want = (base & ~P.SEND_MESSAGES) | P.BAN_MEMBERS;
    want = (want & ~(P.ADD_REACTIONS | P.BAN_MEMBERS)) | P.ADD_REACTIONS | P.MANAGE_ROLES;
    want |= P.MANAGE_GUILD;
    want &= ~(P.ATTACH_FILES | P.MENTION_EVERYONE);
    assert.equal(expected, want);
  });

  test("without VIEW_CHANNEL nothing is left (implicit deny of everything)", () => {
    const hidden = [roleOw(GUILD, P.MANAGE_MESSAGES, P.VIEW_CHANNEL)];
    assert.equal(channelPermissions(guild, plain, hidden), 0n);
    assert.equal(channelPermissions(guild, mod, hidden), 0n);
    // A role or member overwrite can give the view back.
    assert.ok(channelPermissions(guild, mod, [...hidden, roleOw(MOD, P.VIEW_CHANNEL, 0n)]) & P.VIEW_CHANNEL);
    assert.ok(
      channelPermissions(guild, plain, [...hidden, memberOw(plain.fid, P.VIEW_CHANNEL, 0n)]) &
        P.MANAGE_MESSAGES,
    );
    // … and a member overwrite can take it away again after a role gave it.
    assert.equal(
      channelPermissions(guild, mod, [
        ...hidden,
        roleOw(MOD, P.VIEW_CHANNEL, 0n),
        memberOw(mod.fid, 0n, P.VIEW_CHANNEL),
      ]),
      0n,
    );
    // No VIEW in the base permissions at all.
    assert.equal(channelPermissions({ ...guild, everyone: P.SEND_MESSAGES }, plain, []), 0n);
  });

  test("without SEND_MESSAGES the permissions that need it go too; the others stay", () => {
    const mute = [roleOw(GUILD, P.MENTION_EVERYONE, P.SEND_MESSAGES)];
    const got = channelPermissions(guild, plain, mute);
    assert.equal(got & (P.SEND_MESSAGES | P.ATTACH_FILES | P.MENTION_EVERYONE), 0n);
    assert.equal(
      got & (P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS),
      P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS,
    );
    // With SEND, MENTION_EVERYONE allowed by the overwrite stays.
    const loud = channelPermissions(guild, plain, [roleOw(GUILD, P.MENTION_EVERYONE, 0n)]);
    assert.equal(loud & P.MENTION_EVERYONE, P.MENTION_EVERYONE);
  });

  test("administrators and the owner are above every overwrite", () => {
    const locked = [
      roleOw(GUILD, 0n, ALL_PERMISSIONS),
      roleOw(ADMIN, 0n, ALL_PERMISSIONS),
      memberOw(admin.fid, 0n, ALL_PERMISSIONS),
    ];
    assert.equal(channelPermissions(guild, admin, locked), ALL_PERMISSIONS);
    assert.equal(
      channelPermissions(guild, owner, [...locked, memberOw(OWNER, 0n, ALL_PERMISSIONS)]),
      ALL_PERMISSIONS,
    );
  });

  test("ADMINISTRATOR granted by an overwrite does not lift anyone above overwrites", () => {
    const got = channelPermissions(guild, plain, [roleOw(GUILD, P.ADMINISTRATOR, P.SEND_MESSAGES)]);
    assert.equal(got & P.SEND_MESSAGES, 0n);
    assert.equal(got & P.ADMINISTRATOR, P.ADMINISTRATOR);
  });

  test("unknown bits in overwrites are dropped", () => {
    const got = channelPermissions(guild, plain, [roleOw(GUILD, 1n << 50n, 0n)]);
    assert.equal(got, DEFAULT_EVERYONE_PERMISSIONS);
  });
});

describe("role hierarchy", () => {
  const hierarchy: RoleHierarchy = {
    ownerFid: OWNER,
    positions: new Map([
      [GUILD, 0],
      [HELPER, 1],
      [MOD, 2],
      [ADMIN, 3],
    ]),
  };

  test("a member ranks at their highest role; @everyone alone is 0; the owner above all", () => {
    assert.equal(highestPosition(hierarchy, plain), 0);
    assert.equal(highestPosition(hierarchy, both), 2);
    assert.equal(highestPosition(hierarchy, member("x@a.test", "01GONE")), 0);
    assert.equal(highestPosition(hierarchy, owner), Number.POSITIVE_INFINITY);
  });

  test("roles can be managed only strictly below one's highest; ADMINISTRATOR does not help", () => {
    assert.equal(canManageRole(hierarchy, mod, 1), true);
    assert.equal(canManageRole(hierarchy, mod, 2), false);
    assert.equal(canManageRole(hierarchy, mod, 3), false);
    assert.equal(canManageRole(hierarchy, admin, 3), false);
    assert.equal(canManageRole(hierarchy, plain, 0), false);
    assert.equal(canManageRole(hierarchy, owner, 1_000_000), true);
  });

  test("kick and ban: only members ranked below, never the owner, never oneself", () => {
    assert.equal(outranks(hierarchy, mod, plain), true);
    assert.equal(outranks(hierarchy, mod, member("h@a.test", HELPER)), true);
    assert.equal(outranks(hierarchy, mod, member("m2@a.test", MOD)), false);
    assert.equal(outranks(hierarchy, mod, admin), false);
    assert.equal(outranks(hierarchy, admin, owner), false);
    assert.equal(outranks(hierarchy, owner, admin), true);
    assert.equal(outranks(hierarchy, owner, owner), false);
    assert.equal(outranks(hierarchy, mod, mod), false);
    assert.equal(outranks(hierarchy, plain, member("p2@a.test")), false);
  });
});
