/**
 * The guild side's gateway events (PROFILE §5 `chat` ops) and the topics that carry them:
 *
 * - `guild:<id>` — every member's sessions: guild, member and role events;
 * - `channel:<id>` — the sessions of members who can view the channel: its updates and deletion (and
 *   the message side's events);
 * - `actor:<fid>` — one actor's sessions: what only they may learn (a channel appearing or disappearing
 *   for them, a guild they joined or left).
 *
 * **Decision**: an event about a channel is never sent where someone who cannot view it would get it.
 * A channel's creation goes to each viewer's actor topic (together with the `channel:<id>` topic), not
 * to the channel topic, since a node may not have subscribed to a new topic yet when the event follows
 * on its heels. When a change (overwrite, role, membership) makes a channel appear for a member they
 * get ChannelCreate, when it disappears ChannelDelete — both on their actor topic, with the topic
 * change just before.
 */
import { ChatOp } from "@p2chat/polyproto";
import type { GatewayHub } from "../../gateway/hub.js";
import type { Visibility } from "./visibility.js";
import { channelShape } from "./wire.js";

export const guildTopic = (guildId: string) => `guild:${guildId}`;
export const channelTopic = (channelId: string) => `channel:${channelId}`;
export const actorTopic = (fid: string) => `actor:${fid}`;

export type GatewayPublisher = Pick<GatewayHub, "publish" | "control">;

export class GuildEvents {
  constructor(private readonly gateway: GatewayPublisher) {}

  toGuild(guildId: string, op: ChatOp, d: unknown): Promise<void> {
    return this.gateway.publish(guildTopic(guildId), "chat", op, d);
  }

  toChannel(channelId: string, op: ChatOp, d: unknown): Promise<void> {
    return this.gateway.publish(channelTopic(channelId), "chat", op, d);
  }

  toActor(fid: string, op: ChatOp, d: unknown): Promise<void> {
    return this.gateway.publish(actorTopic(fid), "chat", op, d);
  }

  /** Changes the topics of every live session of `fid`, on every node. */
  async topics(fid: string, add: readonly string[], remove: readonly string[]): Promise<void> {
    if (add.length === 0 && remove.length === 0) return;
    await this.gateway.control(actorTopic(fid), { kind: "topics", fid, add, remove });
  }

  /** A new channel: each member who can view it gets its topic, then ChannelCreate. */
  async channelCreated(view: Visibility, channelId: string): Promise<void> {
    const channel = view.channels.get(channelId);
    if (!channel) return;
    const shape = channelShape(channel);
    await Promise.all(
      [...view.viewers].map(async ([fid, visible]) => {
        if (!visible.has(channelId)) return;
        await this.topics(fid, [channelTopic(channelId)], []);
        await this.toActor(fid, ChatOp.ChannelCreate, shape);
      }),
    );
  }

  /** Deleted channels: ChannelDelete to their topics, then those who could view them lose the topics. */
  async channelsDeleted(before: Visibility, channelIds: readonly string[]): Promise<void> {
    const guildId = before.state.guild.id;
    for (const id of channelIds) await this.toChannel(id, ChatOp.ChannelDelete, { id, guildId });
    await Promise.all(
      [...before.viewers].map(([fid, visible]) =>
        this.topics(fid, [], channelIds.filter((id) => visible.has(id)).map(channelTopic)),
      ),
    );
  }

  /**
   * Tells every member whose view changed between `before` and `after`: lost channels leave their
   * topics and arrive as ChannelDelete, gained ones join them and arrive as ChannelCreate. Members in
   * only one of the two (joined, left) count as seeing nothing in the other. `between` runs after the
   * losses and before the gains: an update published to a channel's topic there reaches exactly those
   * who kept the view (gainers get the whole channel in ChannelCreate instead).
   */
  async viewChanged(before: Visibility, after: Visibility, between?: () => Promise<void>): Promise<void> {
    const guildId = after.state.guild.id;
    const none: ReadonlySet<string> = new Set();
    const changes = [...new Set([...before.viewers.keys(), ...after.viewers.keys()])].map((fid) => {
      const was = before.viewers.get(fid) ?? none;
      const is = after.viewers.get(fid) ?? none;
      return {
        fid,
        lost: [...was].filter((id) => !is.has(id)),
        gained: [...is].filter((id) => !was.has(id)),
      };
    });
    await Promise.all(
      changes.map(async ({ fid, lost }) => {
        if (lost.length === 0) return;
        await this.topics(fid, [], lost.map(channelTopic));
        for (const id of lost) await this.toActor(fid, ChatOp.ChannelDelete, { id, guildId });
      }),
    );
    await between?.();
    await Promise.all(
      changes.map(async ({ fid, gained }) => {
        if (gained.length === 0) return;
        await this.topics(fid, gained.map(channelTopic), []);
        for (const id of gained) {
          const channel = after.channels.get(id);
          if (channel) await this.toActor(fid, ChatOp.ChannelCreate, channelShape(channel));
        }
      }),
    );
  }
}
