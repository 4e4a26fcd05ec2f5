/**
 * The guild side of the `chat` service (PROFILE §7, §7.1): guilds themselves here, and the parts —
 * channels, roles, members and bans, invites — each in its own file, sharing one kit. Local and
 * foreign actors use it alike (a foreign actor authenticated here by key trial), except that guilds
 * are created only by this server's own actors: a guild lives on its creator's home server.
 */
import { ChatOp, DEFAULT_EVERYONE_PERMISSIONS } from "@p2chat/polyproto";
import { ulid } from "ulid";
import { P2Error } from "../../http/errors.js";
import type { GuildRecord } from "../../storage/guildStore.js";
import { notFound } from "./authority.js";
import { ChannelService } from "./channels.js";
import { channelTopic, guildTopic } from "./events.js";
import { InviteService } from "./invites.js";
import { GuildKit, type GuildServiceDeps, pageOf } from "./kit.js";
import { MemberService } from "./members.js";
import { RoleService } from "./roles.js";
import type { CreateGuildBody, Guild, UpdateGuildBody } from "./schemas.js";
import { guildShape } from "./wire.js";

export class GuildService {
  readonly kit: GuildKit;
  readonly channels: ChannelService;
  readonly roles: RoleService;
  readonly members: MemberService;
  readonly invites: InviteService;

  constructor(deps: GuildServiceDeps) {
    this.kit = new GuildKit(deps);
    this.members = new MemberService(this.kit);
    this.channels = new ChannelService(this.kit);
    this.roles = new RoleService(this.kit);
    this.invites = new InviteService(this.kit, this.members);
  }

  /**
   * `POST /guilds`: the guild, its @everyone role (ID = the guild's, PROFILE's default permissions)
   * and its owner as first member, in one transaction.
   */
  async create(session: { fid: string; foreign: boolean }, body: CreateGuildBody): Promise<Guild> {
    if (session.foreign) {
      throw new P2Error(403, "P2CORE_LOCAL_ACTORS_ONLY", "guilds are created on their creator's home server");
    }
    const now = this.kit.now();
    const guild: GuildRecord = {
      id: ulid(now),
      name: body.name,
      description: body.description ?? null,
      icon: body.icon ?? null,
      ownerFid: session.fid,
      isPublic: body.public ?? false,
      createdAt: now,
    };
    await this.kit.stores.transaction(async (stores) => {
      await stores.guilds.create(guild);
      await stores.roles.create({
        id: guild.id,
        guildId: guild.id,
        name: "@everyone",
        permissions: DEFAULT_EVERYONE_PERMISSIONS,
        position: 0,
        color: 0,
        createdAt: now,
      });
      await stores.members.add({ guildId: guild.id, fid: session.fid, joinedAt: now });
    });
    await this.members.announceJoined(session.fid, guild.id);
    return guildShape(guild);
  }

  /** `GET /guilds/{id}`: members see their guild; anyone sees a public one. */
  async get(fid: string, guildId: string): Promise<Guild> {
    const [guild, member] = await Promise.all([
      this.kit.stores.guilds.find(guildId),
      this.kit.stores.members.find(guildId, fid),
    ]);
    if (!guild || (!member && !guild.isPublic)) throw notFound("guild");
    return guildShape(guild);
  }

  /** `GET /guilds`: the caller's guilds; `?public=true`: public guilds by ascending ID (discovery). */
  async list(fid: string, query: { public?: boolean; limit?: number; after?: string }): Promise<Guild[]> {
    const guilds = query.public
      ? await this.kit.stores.guilds.listPublic(pageOf(query))
      : await this.kit.stores.guilds.listOfMember(fid);
    return guilds.map(guildShape);
  }

  /** `PATCH /guilds/{id}` (MANAGE_GUILD): name, description, icon, public. */
  async update(fid: string, guildId: string, body: UpdateGuildBody): Promise<Guild> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("MANAGE_GUILD");
    const updated = await this.kit.stores.guilds.update(guildId, {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.icon === undefined ? {} : { icon: body.icon }),
      ...(body.public === undefined ? {} : { isPublic: body.public }),
    });
    if (!updated) throw notFound("guild");
    const guild = guildShape(updated);
    await this.kit.events.toGuild(guildId, ChatOp.GuildUpdate, guild);
    return guild;
  }

  /**
   * `DELETE /guilds/{id}` (owner, sensitive): `confirm` checks the sensitive solution, after the
   * owner check, so that nobody else learns anything from the answer. Every member's sessions get
   * GuildDelete and lose the guild's topics.
   */
  async delete(fid: string, guildId: string, confirm: () => Promise<void>): Promise<void> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.requireOwner();
    await confirm();
    const channels = await this.kit.stores.channels.listOfGuild(guildId);
    const everyone = await this.kit.views.members(guildId);
    if (!(await this.kit.stores.guilds.delete(guildId))) throw notFound("guild");
    await this.kit.events.toGuild(guildId, ChatOp.GuildDelete, { id: guildId });
    const topics = [guildTopic(guildId), ...channels.map((channel) => channelTopic(channel.id))];
    await Promise.all(everyone.map((member) => this.kit.events.topics(member.fid, [], topics)));
  }
}
