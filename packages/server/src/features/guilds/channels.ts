/**
 * Guild channels (PROFILE §7, §7.1): create, read, update (name, topic, parent, position, turning
 * encryption on), delete, and their permission overwrites. Categories (type 4) hold text and forum
 * channels; threads (type 2) hang off a text or forum channel and see with its overwrites.
 */
import { ChatOp, hasPermission, Permission } from "@p2chat/polyproto";
import { ulid } from "ulid";
import { P2Error } from "../../http/errors.js";
import type { ChannelRecord, OverwriteRecord } from "../../storage/channelStore.js";
import { ChannelScope, type MemberScope, missing, notFound } from "./authority.js";
import { ChannelKind, type GuildState } from "./guildState.js";
import { fidOf, type GuildKit, permissionsOf } from "./kit.js";
import { closeGaps, moved, type Placed, placeAt } from "./positions.js";
import type { Channel, CreateChannelBody, OverwriteBody, UpdateChannelBody } from "./schemas.js";
import { visibleChannels } from "./visibility.js";
import { channelShape } from "./wire.js";

function invalidParent(message: string): P2Error {
  return new P2Error(400, "P2CHAT_INVALID_PARENT", message);
}

function invalidType(message: string): P2Error {
  return new P2Error(400, "P2CHAT_INVALID_CHANNEL_TYPE", message);
}

/** Channels per guild, threads included (Discord's limit). */
export const MAX_CHANNELS = 500;

const positionsOf = (channels: Iterable<ChannelRecord>) =>
  new Map([...channels].map((c) => [c.id, c.position]));

export class ChannelService {
  constructor(private readonly kit: GuildKit) {}

  /** `GET /guilds/{id}/channels`: the channels the caller can view. */
  async list(fid: string, guildId: string): Promise<Channel[]> {
    const scope = await this.kit.authority.member(fid, guildId);
    const channels = new Map((await this.kit.stores.channels.listOfGuild(guildId)).map((c) => [c.id, c]));
    const visible = visibleChannels(scope.state, scope.self, channels);
    return [...channels.values()].filter((channel) => visible.has(channel.id)).map(channelShape);
  }

  /** `GET /channels/{id}`. */
  async get(fid: string, channelId: string): Promise<Channel> {
    return channelShape((await this.kit.authority.channel(fid, channelId)).channel);
  }

  /**
   * `POST /guilds/{id}/channels` (MANAGE_CHANNEL in the guild, or in the parent category). Without
   * `overwrites` a channel in a category starts with the category's (synced, as Discord does);
   * explicit `overwrites` need MANAGE_ROLES too, so a private channel never starts public.
   */
  async create(fid: string, guildId: string, body: CreateChannelBody): Promise<Channel> {
    const scope = await this.kit.authority.member(fid, guildId);
    const type = body.type ?? ChannelKind.Text;
    const parentId = body.parentId ?? null;
    const parent = await this.parentFor(scope, type, parentId);
    const held = parent ? parent.permissions : scope.base;
    if (!hasPermission(held, Permission.MANAGE_CHANNEL)) throw missing("MANAGE_CHANNEL");
    let overwrites: OverwriteRecord[];
    if (body.overwrites !== undefined) {
      if (type === ChannelKind.Thread) throw invalidType("threads take their parent's overwrites");
      if (!hasPermission(held, Permission.MANAGE_ROLES)) throw missing("MANAGE_ROLES");
      const byId = new Map<string, OverwriteRecord>();
      for (const overwrite of body.overwrites) {
        const record = this.overwriteOf(scope.state, overwrite.id, overwrite);
        byId.set(record.id, record);
      }
      overwrites = [...byId.values()];
      scope.requireHolds(
        overwrites.reduce((bits, o) => bits | o.allow | o.deny, 0n),
        held,
      );
    } else {
      overwrites =
        parent && parent.channel.type === ChannelKind.Category ? [...parent.channel.overwrites] : [];
    }
    const now = this.kit.now();
    const id = ulid(now);
    const all = await this.kit.stores.channels.listOfGuild(guildId);
    if (all.length >= MAX_CHANNELS) {
      throw new P2Error(400, "P2CHAT_TOO_MANY_CHANNELS", `a guild holds at most ${MAX_CHANNELS} channels`);
    }
    const placed = placeAt(
      all.filter((c) => c.parentId === parentId),
      id,
      body.position,
      0,
    );
    const channel: ChannelRecord = {
      id,
      guildId,
      type,
      name: body.name,
      topic: body.topic ?? null,
      parentId,
      position: placed.find((p) => p.id === id)!.position,
      encrypted: false,
      ownerFid: null,
      createdAt: now,
      overwrites,
    };
    const shifted = moved(placed, positionsOf(all)).filter((p) => p.id !== id);
    await this.kit.stores.transaction(async (stores) => {
      if (!(await stores.guilds.lock(guildId))) throw notFound("guild");
      await stores.channels.create(channel);
      await stores.channels.place(shifted.map((p) => ({ ...p, parentId })));
    });
    const view = await this.kit.views.of(guildId);
    if (view) await this.kit.events.channelCreated(view, id);
    await this.announceMoves(shifted);
    const created = await this.kit.stores.channels.find(id);
    return channelShape(created ?? channel);
  }

  /** `PATCH /channels/{id}` (MANAGE_CHANNEL; also in a new parent). */
  async update(fid: string, channelId: string, body: UpdateChannelBody): Promise<Channel> {
    const scope = await this.kit.authority.channel(fid, channelId);
    scope.require("MANAGE_CHANNEL");
    const { channel } = scope;
    const changes: { name?: string; topic?: string | null; encrypted?: boolean } = {};
    if (body.name !== undefined) changes.name = body.name;
    if (body.topic !== undefined) changes.topic = body.topic;
    if (body.encrypted !== undefined) {
      if (!body.encrypted && channel.encrypted) {
        throw new P2Error(
          400,
          "P2CHAT_ENCRYPTION_IRREVERSIBLE",
          "encryption cannot be turned off (PROFILE §8)",
        );
      }
      if (body.encrypted && channel.type === ChannelKind.Category)
        throw invalidType("a category holds no messages");
      if (body.encrypted) changes.encrypted = true;
    }
    const parentId = body.parentId === undefined ? channel.parentId : body.parentId;
    const reparented = parentId !== channel.parentId;
    if (reparented) {
      if (channel.type === ChannelKind.Thread) throw invalidParent("a thread stays with its channel");
      const parent = await this.parentFor(scope, channel.type, parentId);
      const held = parent ? parent.permissions : scope.base;
      if (!hasPermission(held, Permission.MANAGE_CHANNEL)) throw missing("MANAGE_CHANNEL");
    }
    let placements: (Placed & { parentId: string | null })[] = [];
    if (reparented || body.position !== undefined) {
      const all = await this.kit.stores.channels.listOfGuild(channel.guildId!);
      const current = positionsOf(all);
      const target = placeAt(
        all.filter((c) => c.parentId === parentId && c.id !== channel.id),
        channel.id,
        body.position,
        0,
      );
      placements = target
        .filter((p) => (p.id === channel.id && reparented) || current.get(p.id) !== p.position)
        .map((p) => ({ ...p, parentId }));
      if (reparented) {
        const left = closeGaps(
          all.filter((c) => c.parentId === channel.parentId && c.id !== channel.id),
          0,
        );
        placements.push(...moved(left, current).map((p) => ({ ...p, parentId: channel.parentId })));
      }
    }
    await this.kit.stores.transaction(async (stores) => {
      await stores.channels.update(channel.id, changes);
      await stores.channels.place(placements);
    });
    const updated = await this.kit.stores.channels.find(channel.id);
    if (!updated) throw notFound("channel");
    await this.kit.events.toChannel(channel.id, ChatOp.ChannelUpdate, channelShape(updated));
    await this.announceMoves(placements.filter((p) => p.id !== channel.id));
    return channelShape(updated);
  }

  /**
   * `DELETE /channels/{id}` (MANAGE_CHANNEL). A text or forum channel takes its threads with it; a
   * category's channels move to the top level (after the others), as in Discord.
   */
  async delete(fid: string, channelId: string): Promise<void> {
    const scope = await this.kit.authority.channel(fid, channelId);
    scope.require("MANAGE_CHANNEL");
    const { channel } = scope;
    const before = await this.kit.views.of(scope.guildId);
    if (!before) throw notFound("channel");
    const all = [...before.channels.values()];
    const children = all.filter((c) => c.parentId === channel.id);
    const threads = children.filter((c) => c.type === ChannelKind.Thread);
    const adopted = children.filter((c) => c.type !== ChannelKind.Thread);
    const current = positionsOf(all);
    const siblings = all.filter((c) => c.parentId === channel.parentId && c.id !== channel.id);
    // Only categories hold non-thread channels, and categories are top-level: their siblings are too.
    const placements = [
      ...moved(closeGaps(siblings, 0), current).map((p) => ({ ...p, parentId: channel.parentId })),
      ...closeGaps(adopted, siblings.length).map((p) => ({ ...p, parentId: null })),
    ];
    const deleted = [...threads.map((c) => c.id), channel.id];
    await this.kit.stores.transaction(async (stores) => {
      for (const id of deleted) await stores.channels.delete(id);
      await stores.channels.place(placements);
    });
    await this.kit.events.channelsDeleted(before, deleted);
    await this.announceMoves(placements);
  }

  /**
   * `PUT /channels/{id}/overwrites/{targetId}` (MANAGE_ROLES in the channel; only permissions the
   * caller holds there may be allowed or denied). Members who gain or lose the channel are told.
   */
  async putOverwrite(
    fid: string,
    channelId: string,
    targetId: string,
    body: OverwriteBody,
  ): Promise<Channel> {
    const scope = await this.overwriteScope(fid, channelId);
    const overwrite = this.overwriteOf(scope.state, targetId, body);
    scope.requireHolds(overwrite.allow | overwrite.deny, scope.permissions);
    return this.changeOverwrites(scope, overwrite.type === "member" ? [overwrite.id] : undefined, (stores) =>
      stores.channels.putOverwrite(channelId, overwrite),
    );
  }

  /** `DELETE /channels/{id}/overwrites/{targetId}` (MANAGE_ROLES in the channel); 404 when there is none. */
  async deleteOverwrite(fid: string, channelId: string, targetId: string): Promise<Channel> {
    const scope = await this.overwriteScope(fid, channelId);
    const id = targetId.includes("@") ? targetId.toLowerCase() : targetId;
    const existing = scope.channel.overwrites.find((o) => o.id === id);
    if (!existing) throw notFound("overwrite");
    scope.requireHolds(existing.allow | existing.deny, scope.permissions);
    return this.changeOverwrites(scope, existing.type === "member" ? [id] : undefined, async (stores) => {
      await stores.channels.deleteOverwrite(channelId, id);
    });
  }

  private async overwriteScope(fid: string, channelId: string): Promise<ChannelScope> {
    const scope = await this.kit.authority.channel(fid, channelId);
    scope.require("MANAGE_ROLES");
    if (scope.channel.type === ChannelKind.Thread)
      throw invalidType("threads take their parent's overwrites");
    return scope;
  }

  /** Runs the change with the views before and after (of `fids`, or of everyone), tells who changed. */
  private async changeOverwrites(
    scope: ChannelScope,
    fids: readonly string[] | undefined,
    change: (stores: Pick<GuildKit["stores"], "channels">) => Promise<void>,
  ): Promise<Channel> {
    const before = await this.kit.views.of(scope.guildId, fids);
    await change(this.kit.stores);
    const after = await this.kit.views.of(scope.guildId, fids);
    const updated = after?.channels.get(scope.channel.id);
    if (!before || !after || !updated) throw notFound("channel");
    // The update goes to the channel's topic after those who lost it left and before gainers join.
    await this.kit.events.viewChanged(before, after, () =>
      this.kit.events.toChannel(updated.id, ChatOp.ChannelUpdate, channelShape(updated)),
    );
    return channelShape(updated);
  }

  /** An overwrite from the wire: its role must exist in the guild (404), a member is a FID (400). */
  private overwriteOf(state: GuildState, targetId: string, body: OverwriteBody): OverwriteRecord {
    const allow = permissionsOf(body.allow);
    const deny = permissionsOf(body.deny);
    if (body.type === "member") return { id: fidOf(targetId), type: "member", allow, deny };
    if (!state.role(targetId)) throw notFound("role");
    return { id: targetId, type: "role", allow, deny };
  }

  /**
   * The parent a channel of `type` may have: none for categories, a category (or none) for text and
   * forum channels, a text or forum channel for threads — in the same guild and visible to the
   * caller (`400 P2CHAT_INVALID_PARENT` otherwise, the same for a parent that does not exist).
   */
  private async parentFor(
    scope: MemberScope,
    type: number,
    parentId: string | null,
  ): Promise<ChannelScope | undefined> {
    if (type === ChannelKind.GroupDm) throw invalidType("group DMs are created with POST /groups");
    if (parentId === null) {
      if (type === ChannelKind.Thread)
        throw invalidParent("a thread needs a text or forum channel as parent");
      return undefined;
    }
    if (type === ChannelKind.Category) throw invalidParent("a category has no parent");
    const parent = await this.kit.stores.channels.find(parentId);
    if (!parent || parent.guildId !== scope.guildId) throw invalidParent("no such parent channel");
    const parentScope = new ChannelScope(scope.state, scope.member, parent, undefined);
    if (!hasPermission(parentScope.permissions, Permission.VIEW_CHANNEL))
      throw invalidParent("no such parent channel");
    const allowed: readonly number[] =
      type === ChannelKind.Thread ? [ChannelKind.Text, ChannelKind.Forum] : [ChannelKind.Category];
    if (!allowed.includes(parent.type)) {
      throw invalidParent(
        type === ChannelKind.Thread
          ? "a thread's parent is a text or forum channel"
          : "the parent must be a category",
      );
    }
    return parentScope;
  }

  /** ChannelUpdate for channels that only moved (to their own topics: their viewers). */
  private async announceMoves(placements: readonly (Placed & { parentId?: string | null })[]): Promise<void> {
    for (const { id } of placements) {
      const channel = await this.kit.stores.channels.find(id);
      if (channel) await this.kit.events.toChannel(id, ChatOp.ChannelUpdate, channelShape(channel));
    }
  }
}
