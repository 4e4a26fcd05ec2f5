/**
 * The guild side of the chat API (PROFILE §7, §7.1): guilds, channels and overwrites, roles, members,
 * bans and invites. Rate limits (PROFILE §4) per actor: channel creations, and guild operations
 * (create, change, delete, join, leave).
 */
import { RATE_LIMITS, RateLimiter } from "../../http/rateLimit.js";
import type { FeaturePlugin } from "../context.js";
import { addMemberRole } from "./routes/addMemberRole.js";
import { banMember } from "./routes/banMember.js";
import { createChannel } from "./routes/createChannel.js";
import { createGuild } from "./routes/createGuild.js";
import { createInvite } from "./routes/createInvite.js";
import { createRole } from "./routes/createRole.js";
import { deleteChannel } from "./routes/deleteChannel.js";
import { deleteGuild } from "./routes/deleteGuild.js";
import { deleteInvite } from "./routes/deleteInvite.js";
import { deleteOverwrite } from "./routes/deleteOverwrite.js";
import { deleteRole } from "./routes/deleteRole.js";
import { getChannel } from "./routes/getChannel.js";
import { getGuild } from "./routes/getGuild.js";
import { joinByInvite } from "./routes/joinByInvite.js";
import { joinPublicGuild } from "./routes/joinPublicGuild.js";
import { kickMember } from "./routes/kickMember.js";
import { leaveGuild } from "./routes/leaveGuild.js";
import { listBans } from "./routes/listBans.js";
import { listChannels } from "./routes/listChannels.js";
import { listGuilds } from "./routes/listGuilds.js";
import { listInvites } from "./routes/listInvites.js";
import { listMembers } from "./routes/listMembers.js";
import { listRoles } from "./routes/listRoles.js";
import { previewInvite } from "./routes/previewInvite.js";
import { putOverwrite } from "./routes/putOverwrite.js";
import { removeMemberRole } from "./routes/removeMemberRole.js";
import { unbanMember } from "./routes/unbanMember.js";
import { updateChannel } from "./routes/updateChannel.js";
import { updateGuild } from "./routes/updateGuild.js";
import { updateRole } from "./routes/updateRole.js";

export const guildsPlugin: FeaturePlugin = async (app, { config, services }) => {
  const { guilds, sessions, accounts } = services;
  const enabled = config.rateLimits;
  const guildOperations = new RateLimiter(RATE_LIMITS.guildOperations, { enabled });
  const channelCreations = new RateLimiter(RATE_LIMITS.channelCreations, { enabled });

  createGuild(app, guilds, sessions, guildOperations);
  listGuilds(app, guilds, sessions);
  getGuild(app, guilds, sessions);
  updateGuild(app, guilds, sessions, guildOperations);
  deleteGuild(app, guilds, sessions, accounts, guildOperations);

  listChannels(app, guilds.channels, sessions);
  createChannel(app, guilds.channels, sessions, channelCreations);
  getChannel(app, guilds.channels, sessions);
  updateChannel(app, guilds.channels, sessions);
  deleteChannel(app, guilds.channels, sessions);
  putOverwrite(app, guilds.channels, sessions);
  deleteOverwrite(app, guilds.channels, sessions);

  listRoles(app, guilds.roles, sessions);
  createRole(app, guilds.roles, sessions);
  updateRole(app, guilds.roles, sessions);
  deleteRole(app, guilds.roles, sessions);
  addMemberRole(app, guilds.roles, sessions);
  removeMemberRole(app, guilds.roles, sessions);

  listMembers(app, guilds.members, sessions);
  joinPublicGuild(app, guilds.members, sessions, guildOperations);
  leaveGuild(app, guilds.members, sessions, guildOperations);
  kickMember(app, guilds.members, sessions);
  banMember(app, guilds.members, sessions);
  unbanMember(app, guilds.members, sessions);
  listBans(app, guilds.members, sessions);

  createInvite(app, guilds.invites, sessions);
  listInvites(app, guilds.invites, sessions);
  previewInvite(app, guilds.invites, sessions);
  joinByInvite(app, guilds.invites, sessions, guildOperations);
  deleteInvite(app, guilds.invites, sessions);
};
