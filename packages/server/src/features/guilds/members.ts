/**
 * Membership (PROFILE §7): joining (by invite, or a public guild directly), leaving, kicking,
 * banning, and what the gateway learns about each: the joiner's sessions get the guild's topics and
 * GuildCreate, the others GuildMemberAdd; a member who goes loses the topics and gets GuildDelete, the
 * others GuildMemberRemove.
 */
import { ChatOp } from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import { notFound } from "./authority.js";
import { channelTopic, guildTopic } from "./events.js";
import { fidOf, type GuildKit, pageOf } from "./kit.js";
import type { Ban, Guild, GuildCreatePayload, Member } from "./schemas.js";
import { banShape, channelShape, guildShape, memberShape, roleShape } from "./wire.js";

export type JoinOutcome = "joined" | "member";

export class MemberService {
  constructor(private readonly kit: GuildKit) {}

  /** `GET /guilds/{id}/members?limit&after`: members by ascending FID. */
  async list(fid: string, guildId: string, query: { limit?: number; after?: string }): Promise<Member[]> {
    await this.kit.authority.member(fid, guildId);
    const members = await this.kit.stores.members.list(guildId, pageOf(query));
    return members.map(memberShape);
  }

  /**
   * Makes `fid` a member — unless banned (403 `P2CHAT_BANNED`) — spending one use of `inviteCode`
   * when given (404 when it has none left). An actor who already is a member spends nothing.
   * Serialised with bans by the guild row's lock, so a ban and a join never both win.
   */
  async join(
    fid: string,
    guildId: string,
    inviteCode?: string,
  ): Promise<{ outcome: JoinOutcome; guild: Guild }> {
    const now = this.kit.now();
    const outcome = await this.kit.stores.transaction(async (stores) => {
      if (!(await stores.guilds.lock(guildId))) throw notFound(inviteCode === undefined ? "guild" : "invite");
      if (await stores.bans.find(guildId, fid)) {
        throw new P2Error(403, "P2CHAT_BANNED", "you are banned from this guild");
      }
      if (await stores.members.find(guildId, fid)) return "member" as const;
      if (inviteCode !== undefined && !(await stores.guildInvites.redeem(inviteCode, now)))
        throw notFound("invite");
      await stores.members.add({ guildId, fid, joinedAt: now });
      return "joined" as const;
    });
    if (outcome === "joined") await this.announceJoined(fid, guildId);
    const guild = await this.kit.stores.guilds.find(guildId);
    if (!guild) throw notFound("guild");
    return { outcome, guild: guildShape(guild) };
  }

  /** `PUT /guilds/{id}/members/@me`: joins a public guild without an invite. */
  async joinPublic(fid: string, guildId: string): Promise<{ outcome: JoinOutcome; guild: Guild }> {
    const guild = await this.kit.stores.guilds.find(guildId);
    if (!guild || (!guild.isPublic && !(await this.kit.stores.members.find(guildId, fid))))
      throw notFound("guild");
    return this.join(fid, guildId);
  }

  /** `DELETE /guilds/{id}/members/@me`. The owner cannot leave (they may delete the guild). */
  async leave(fid: string, guildId: string): Promise<void> {
    const scope = await this.kit.authority.member(fid, guildId);
    if (scope.isOwner) {
      throw new P2Error(
        400,
        "P2CHAT_OWNER_CANNOT_LEAVE",
        "the owner cannot leave the guild; delete it instead",
      );
    }
    await this.remove(guildId, fid);
  }

  /** `DELETE /guilds/{id}/members/{fid}` (KICK_MEMBERS, and the target below the caller). */
  async kick(fid: string, guildId: string, targetInput: string): Promise<void> {
    const target = fidOf(targetInput);
    if (target === fid) return this.leave(fid, guildId);
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("KICK_MEMBERS");
    const member = await this.kit.stores.members.find(guildId, target);
    if (!member) throw notFound("member");
    scope.requireOutranks(member);
    await this.remove(guildId, target);
  }

  /** `PUT /guilds/{id}/bans/{fid}` (BAN_MEMBERS): removes the member if they are one; blocks joining. */
  async ban(fid: string, guildId: string, targetInput: string, reason: string | null): Promise<void> {
    const target = fidOf(targetInput);
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("BAN_MEMBERS");
    const member = await this.kit.stores.members.find(guildId, target);
    // Actors who are no members may be banned ahead; the owner and oneself never.
    scope.requireOutranks(member ?? { fid: target, roleIds: [] });
    const channels = await this.kit.stores.channels.listOfGuild(guildId);
    const removed = await this.kit.stores.transaction(async (stores) => {
      if (!(await stores.guilds.lock(guildId))) throw notFound("guild");
      const wasMember = await stores.members.remove(guildId, target);
      await stores.bans.put({ guildId, fid: target, reason, bannedByFid: fid, createdAt: this.kit.now() });
      return wasMember;
    });
    if (removed)
      await this.announceRemoved(
        guildId,
        target,
        channels.map((channel) => channel.id),
      );
  }

  /** `DELETE /guilds/{id}/bans/{fid}` (BAN_MEMBERS); 404 when not banned. */
  async unban(fid: string, guildId: string, targetInput: string): Promise<void> {
    const target = fidOf(targetInput);
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("BAN_MEMBERS");
    if (!(await this.kit.stores.bans.delete(guildId, target))) throw notFound("ban");
  }

  /** `GET /guilds/{id}/bans?limit&after` (BAN_MEMBERS): by ascending FID. */
  async bans(fid: string, guildId: string, query: { limit?: number; after?: string }): Promise<Ban[]> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("BAN_MEMBERS");
    return (await this.kit.stores.bans.list(guildId, pageOf(query))).map(banShape);
  }

  /** Gives the joiner's sessions the guild and the channels they see, then tells everyone. */
  async announceJoined(fid: string, guildId: string): Promise<void> {
    const view = await this.kit.views.of(guildId, [fid]);
    const member = await this.kit.stores.members.find(guildId, fid);
    if (!view || !member) return;
    const visible = [...(view.viewers.get(fid) ?? [])];
    // The guild topic first: on one node the session is subscribed to it before the next event.
    await this.kit.events.topics(fid, [guildTopic(guildId), ...visible.map(channelTopic)], []);
    const payload: GuildCreatePayload = {
      guild: guildShape(view.state.guild),
      roles: view.state.roles.map(roleShape),
      channels: visible.map((id) => channelShape(view.channels.get(id)!)),
      member: memberShape(member),
    };
    await this.kit.events.toActor(fid, ChatOp.GuildCreate, payload);
    await this.kit.events.toGuild(guildId, ChatOp.GuildMemberAdd, { guildId, member: memberShape(member) });
  }

  /** Removes a member and tells the gateway (every channel topic of the guild goes, seen or not). */
  private async remove(guildId: string, fid: string): Promise<void> {
    const channels = await this.kit.stores.channels.listOfGuild(guildId);
    if (!(await this.kit.stores.members.remove(guildId, fid))) throw notFound("member");
    await this.announceRemoved(
      guildId,
      fid,
      channels.map((channel) => channel.id),
    );
  }

  private async announceRemoved(guildId: string, fid: string, channelIds: readonly string[]): Promise<void> {
    await this.kit.events.topics(fid, [], [guildTopic(guildId), ...channelIds.map(channelTopic)]);
    await this.kit.events.toActor(fid, ChatOp.GuildDelete, { id: guildId });
    await this.kit.events.toGuild(guildId, ChatOp.GuildMemberRemove, { guildId, fid });
  }
}
