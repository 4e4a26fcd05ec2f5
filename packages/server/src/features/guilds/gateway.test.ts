/**
 * Gateway events of the guild side reach exactly the right sessions (PROFILE §5): guild-wide events
 * every member (local and foreign), a private channel's events only those who can view it — as they
 * gain and lose the view through overwrites and roles — and nothing to non-members or to members who
 * left. The message side's events are simulated by publishing to the topic ChatAccess names.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ChatOp, Permission } from "@p2chat/polyproto";
import { type Frame, TestGatewayClient } from "../../gateway/testClient.test-helper.js";
import { startTestServer, type TestServer } from "../../testing.js";
import { type Actor, expectStatus, foreignActor, localActor, PASSWORD } from "./actors.test-helper.js";

const P = Permission;
let g: TestServer;
let h: TestServer;

interface Watcher {
  readonly actor: Actor;
  readonly client: TestGatewayClient;
}

let owner: Watcher;
let alice: Watcher;
let carol: Watcher;
let frank: Watcher;
let dave: Watcher;

async function watch(actor: Actor, server: TestServer): Promise<Watcher> {
  const client = await TestGatewayClient.connect(server);
  await client.identify(actor.token);
  client.send({ n: "core", op: 8, d: { action: "subscribe", service: "chat" } });
  await client.next((f) => f.n === "core" && f.op === 9);
  return { actor, client };
}

before(async () => {
  h = await startTestServer({ env: { P2_DOMAIN: "h.test" } });
  g = await startTestServer({
    env: { P2_DOMAIN: "g.test", P2_PEERS: JSON.stringify({ "h.test": h.url }), P2_RATE_LIMITS: "off" },
  });
  const actors = await Promise.all([
    localActor(g, "owner"),
    localActor(g, "alice"),
    localActor(g, "carol"),
    foreignActor(h, g, "frank"),
    localActor(g, "dave"),
  ]);
  [owner, alice, carol, frank, dave] = await Promise.all([
    watch(actors[0], g),
    watch(actors[1], g),
    watch(actors[2], g),
    watch(actors[3], g),
    watch(actors[4], g),
  ]);
});
after(async () => {
  for (const w of [owner, alice, carol, frank, dave]) w?.client.socket.close();
  await g.close();
  await h.close();
});

const chat = (frames: readonly Frame[]) => frames.filter((f) => f.n === "chat");
const mark = (w: Watcher) => w.client.frames.length;
/** The chat frames `w` received since `from`. */
const since = (w: Watcher, from: number) => chat(w.client.frames.slice(from));
const about = (id: string) => (f: Frame) => JSON.stringify(f.d).includes(id);

/**
 * Publishes a guild-wide marker (GuildUpdate) and waits until every member watcher has it: by then
 * every earlier event has arrived (one bus, in order), so absent frames are truly absent.
 */
async function settle(guildId: string, members: readonly Watcher[]): Promise<void> {
  const name = `marker-${Math.random().toString(36).slice(2)}`;
  expectStatus(await owner.actor.call("PATCH", `/guilds/${guildId}`, { name }), 200);
  for (const w of members) {
    await w.client.next(
      (f) => f.n === "chat" && f.op === ChatOp.GuildUpdate && (f.d as { name: string }).name === name,
    );
  }
}

/** A marker on the actor's own topic, awaited: every earlier event for them has arrived too. */
async function ping(w: Watcher): Promise<void> {
  const marker = `ping-${Math.random().toString(36).slice(2)}`;
  await g.app.services.gateway.publish(`actor:${w.actor.fid}`, "chat", ChatOp.GuildUpdate, { marker });
  await w.client.next((f) => f.n === "chat" && about(marker)(f));
}

/** What the message side does for a new message: publish on the topic ChatAccess gives. */
async function messageIn(channelId: string, as: Actor): Promise<string> {
  const view = await g.app.services.chatAccess.channelFor(as.fid, channelId);
  const id = `msg-${Math.random().toString(36).slice(2)}`;
  await g.app.services.gateway.publish(view.topic, "chat", ChatOp.MessageCreate, { id, channelId });
  return id;
}

test("guild, member, role and channel events reach exactly those who may see them", async () => {
  // Creating: the owner's session gets GuildCreate with @everyone and no channels.
  let at = mark(owner);
  const guild = expectStatus(await owner.actor.call("POST", "/guilds", { name: "events" }), 201);
  const created = await owner.client.next(
    (f) => f.n === "chat" && f.op === ChatOp.GuildCreate && about(guild.id)(f),
  );
  assert.deepEqual((created.d as { channels: unknown[] }).channels, []);
  assert.equal((created.d as { member: { fid: string } }).member.fid, owner.actor.fid);
  const general = expectStatus(
    await owner.actor.call("POST", `/guilds/${guild.id}/channels`, { name: "general" }),
    201,
  );
  await owner.client.next((f) => f.n === "chat" && f.op === ChatOp.ChannelCreate && about(general.id)(f));

  // Joining: the joiner gets GuildCreate with the channels they see; the others GuildMemberAdd.
  const invite = expectStatus(await owner.actor.call("POST", `/channels/${general.id}/invites`, {}), 201);
  for (const w of [alice, carol, frank]) {
    at = mark(owner);
    expectStatus(await w.actor.call("POST", `/invites/${invite.code}`), 201);
    const joined = await w.client.next(
      (f) => f.n === "chat" && f.op === ChatOp.GuildCreate && about(guild.id)(f),
    );
    assert.deepEqual(
      (joined.d as { channels: { id: string }[] }).channels.map((c) => c.id),
      [general.id],
    );
    await owner.client.next(
      (f) =>
        f.n === "chat" &&
        f.op === ChatOp.GuildMemberAdd &&
        (f.d as { member: { fid: string } }).member.fid === w.actor.fid,
    );
  }
  void at;
  const members = [owner, alice, carol, frank];
  await settle(guild.id, members);

  // A private channel: only the owner and carol (member overwrite) see it.
  const before = new Map([...members, dave].map((w) => [w, mark(w)]));
  const hidden = expectStatus(
    await owner.actor.call("POST", `/guilds/${guild.id}/channels`, {
      name: "private",
      overwrites: [
        { id: guild.id, type: "role", allow: "0", deny: P.VIEW_CHANNEL.toString() },
        { id: carol.actor.fid, type: "member", allow: P.VIEW_CHANNEL.toString(), deny: "0" },
      ],
    }),
    201,
  );
  expectStatus(await owner.actor.call("PATCH", `/channels/${hidden.id}`, { name: "private-renamed" }), 200);
  const secret = await messageIn(hidden.id, carol.actor);
  await settle(guild.id, members);
  const opsAbout = (w: Watcher) =>
    since(w, before.get(w)!)
      .filter(about(hidden.id))
      .map((f) => f.op);
  assert.deepEqual(opsAbout(owner), [ChatOp.ChannelCreate, ChatOp.ChannelUpdate, ChatOp.MessageCreate]);
  assert.deepEqual(opsAbout(carol), [ChatOp.ChannelCreate, ChatOp.ChannelUpdate, ChatOp.MessageCreate]);
  for (const w of [alice, frank, dave]) {
    assert.deepEqual(opsAbout(w), [], `${w.actor.fid} learnt of the private channel`);
    assert.ok(!since(w, before.get(w)!).some(about(secret)));
  }
  // dave, no member, got nothing of the guild at all.
  await ping(dave);
  assert.deepEqual(since(dave, before.get(dave)!).filter(about(guild.id)), []);
  assert.ok(!since(dave, before.get(dave)!).some(about(hidden.id)));

  // alice gains the view through a member overwrite: ChannelCreate, then its messages; loses it again.
  let from = mark(alice);
  expectStatus(
    await owner.actor.call("PUT", `/channels/${hidden.id}/overwrites/${alice.actor.fid}`, {
      type: "member",
      allow: P.VIEW_CHANNEL.toString(),
      deny: "0",
    }),
    204,
  );
  const appeared = await alice.client.next(
    (f) => f.n === "chat" && f.op === ChatOp.ChannelCreate && about(hidden.id)(f),
  );
  assert.equal((appeared.d as { name: string }).name, "private-renamed");
  const seen = await messageIn(hidden.id, alice.actor);
  await alice.client.next((f) => f.n === "chat" && f.op === ChatOp.MessageCreate && about(seen)(f));
  expectStatus(await owner.actor.call("DELETE", `/channels/${hidden.id}/overwrites/${alice.actor.fid}`), 204);
  await alice.client.next(
    (f) => f.n === "chat" && f.op === ChatOp.ChannelDelete && (f.d as { id: string }).id === hidden.id,
  );
  const unseen = await messageIn(hidden.id, carol.actor);
  await settle(guild.id, members);
  assert.deepEqual(
    since(alice, from)
      .filter(about(hidden.id))
      .map((f) => f.op),
    [ChatOp.ChannelCreate, ChatOp.MessageCreate, ChatOp.ChannelDelete],
  );
  assert.ok(!since(alice, from).some(about(unseen)));
  // carol, who kept the view, saw the overwrite come and go as ChannelUpdates.
  assert.ok(since(carol, before.get(carol)!).some((f) => f.op === ChatOp.MessageCreate && about(unseen)(f)));

  // frank (foreign) gains it through a role: GuildMemberUpdate to all, ChannelCreate to him only.
  from = mark(frank);
  const seer = expectStatus(
    await owner.actor.call("POST", `/guilds/${guild.id}/roles`, { name: "seer" }),
    201,
  );
  await alice.client.next((f) => f.n === "chat" && f.op === ChatOp.RoleCreate && about(seer.id)(f));
  expectStatus(
    await owner.actor.call("PUT", `/channels/${hidden.id}/overwrites/${seer.id}`, {
      type: "role",
      allow: P.VIEW_CHANNEL.toString(),
      deny: "0",
    }),
    204,
  );
  const aliceBefore = mark(alice);
  expectStatus(
    await owner.actor.call("PUT", `/guilds/${guild.id}/members/${frank.actor.fid}/roles/${seer.id}`),
    204,
  );
  await frank.client.next((f) => f.n === "chat" && f.op === ChatOp.ChannelCreate && about(hidden.id)(f));
  await alice.client.next(
    (f) => f.n === "chat" && f.op === ChatOp.GuildMemberUpdate && about(frank.actor.fid)(f),
  );
  const toFrank = await messageIn(hidden.id, frank.actor);
  await frank.client.next((f) => f.n === "chat" && f.op === ChatOp.MessageCreate && about(toFrank)(f));
  // Taking the role back (or deleting it) takes the channel away.
  expectStatus(await owner.actor.call("DELETE", `/guilds/${guild.id}/roles/${seer.id}`), 204);
  await frank.client.next(
    (f) => f.n === "chat" && f.op === ChatOp.ChannelDelete && (f.d as { id: string }).id === hidden.id,
  );
  await settle(guild.id, members);
  assert.ok(!since(alice, aliceBefore).some(about(hidden.id)), "alice heard of the private channel");
  void from;

  // @everyone losing VIEW_CHANNEL hides general from everyone but the owner (and brings it back).
  const everyone = expectStatus(await owner.actor.call("GET", `/guilds/${guild.id}/roles`), 200)[0];
  const withoutView = (BigInt(everyone.permissions) & ~P.VIEW_CHANNEL).toString();
  from = mark(frank);
  expectStatus(
    await owner.actor.call("PATCH", `/guilds/${guild.id}/roles/${guild.id}`, { permissions: withoutView }),
    200,
  );
  await frank.client.next(
    (f) => f.n === "chat" && f.op === ChatOp.ChannelDelete && (f.d as { id: string }).id === general.id,
  );
  expectStatus(
    await owner.actor.call("PATCH", `/guilds/${guild.id}/roles/${guild.id}`, {
      permissions: everyone.permissions,
    }),
    200,
  );
  await frank.client.next((f) => f.n === "chat" && f.op === ChatOp.ChannelCreate && about(general.id)(f));

  // Deleting the private channel: ChannelDelete to its viewers only.
  const beforeDelete = new Map(members.map((w) => [w, mark(w)]));
  expectStatus(await owner.actor.call("DELETE", `/channels/${hidden.id}`), 204);
  await settle(guild.id, members);
  for (const w of members) {
    const deletes = since(w, beforeDelete.get(w)!).filter((f) => f.op === ChatOp.ChannelDelete);
    assert.equal(deletes.length, w === owner || w === carol ? 1 : 0, w.actor.fid);
  }

  // Kicking carol: she gets GuildDelete, the others GuildMemberRemove; then nothing more of the guild.
  const ownerBefore = mark(owner);
  expectStatus(await owner.actor.call("DELETE", `/guilds/${guild.id}/members/${carol.actor.fid}`), 204);
  await carol.client.next((f) => f.n === "chat" && f.op === ChatOp.GuildDelete && about(guild.id)(f));
  await owner.client.next(
    (f) =>
      f.n === "chat" && f.op === ChatOp.GuildMemberRemove && (f.d as { fid: string }).fid === carol.actor.fid,
  );
  const carolAfter = mark(carol);
  await messageIn(general.id, owner.actor);
  await settle(guild.id, [owner, alice, frank]);
  assert.deepEqual(since(carol, carolAfter), []);
  assert.ok(since(owner, ownerBefore).some((f) => f.op === ChatOp.MessageCreate));

  // A new session identifies with the guild's topics already: general's messages, not others'.
  const second = await localActor(g, "alice", "s2");
  const fresh = await watch(second, g);
  const hello = await messageIn(general.id, alice.actor);
  await fresh.client.next((f) => f.n === "chat" && f.op === ChatOp.MessageCreate && about(hello)(f));

  // Deleting the guild: GuildDelete to every member; their sessions leave its topics.
  const everyoneBefore = new Map([owner, alice, frank, fresh].map((w) => [w, mark(w)]));
  expectStatus(
    await owner.actor.call("DELETE", `/guilds/${guild.id}`, undefined, {
      "x-p2-sensitive-solution": PASSWORD,
    }),
    204,
  );
  for (const w of [owner, alice, frank, fresh]) {
    await w.client.next((f) => f.n === "chat" && f.op === ChatOp.GuildDelete && about(guild.id)(f));
  }
  await g.app.services.gateway.publish(`channel:${general.id}`, "chat", ChatOp.MessageCreate, { id: "late" });
  await g.app.services.gateway.publish(`guild:${guild.id}`, "chat", ChatOp.GuildUpdate, { id: "late" });
  for (const w of [owner, alice, frank, fresh]) {
    await ping(w);
    assert.ok(
      !since(w, everyoneBefore.get(w)!).some(about("late")),
      `${w.actor.fid} still had the channel topic`,
    );
  }
  fresh.client.socket.close();
});
