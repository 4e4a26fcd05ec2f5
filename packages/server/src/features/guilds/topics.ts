/**
 * The gateway topics a session starts with (Identify, or a resume on another node): for each guild the
 * actor belongs to, `guild:<id>` and `channel:<id>` of every channel they can view. Later changes
 * reach live sessions as topic controls (events.ts).
 */
import type { TopicSource } from "../../gateway/hub.js";
import type { GuildStores } from "./authority.js";
import { channelTopic, guildTopic } from "./events.js";
import type { GuildViews } from "./visibility.js";

export function guildTopicSource(stores: Pick<GuildStores, "guilds">, views: GuildViews): TopicSource {
  return async (session) => {
    const topics: string[] = [];
    for (const guild of await stores.guilds.listOfMember(session.fid)) {
      const view = await views.of(guild.id, [session.fid]);
      const visible = view?.viewers.get(session.fid);
      if (!visible) continue;
      topics.push(guildTopic(guild.id), ...[...visible].map(channelTopic));
    }
    return topics;
  };
}
