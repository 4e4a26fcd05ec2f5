/** Store records → the wire shapes of PROFILE §7.1 (bitfields as decimal strings). */
import { formatPermissions } from "@p2chat/polyproto";
import type { BanRecord } from "../../storage/banStore.js";
import type { ChannelRecord } from "../../storage/channelStore.js";
import type { GuildInviteRecord } from "../../storage/guildInviteStore.js";
import type { GuildRecord } from "../../storage/guildStore.js";
import type { MemberRecord } from "../../storage/memberStore.js";
import type { RoleRecord } from "../../storage/roleStore.js";
import type { Ban, Channel, Guild, Invite, Member, Role } from "./schemas.js";

export function guildShape(guild: GuildRecord): Guild {
  return {
    id: guild.id,
    name: guild.name,
    description: guild.description,
    icon: guild.icon,
    ownerFid: guild.ownerFid,
    public: guild.isPublic,
    createdAt: guild.createdAt,
  };
}

export function channelShape(channel: ChannelRecord): Channel {
  return {
    id: channel.id,
    ...(channel.guildId === null ? {} : { guildId: channel.guildId }),
    type: channel.type,
    name: channel.name,
    topic: channel.topic,
    parentId: channel.parentId,
    position: channel.position,
    encrypted: channel.encrypted,
    overwrites: channel.overwrites.map((o) => ({
      id: o.id,
      type: o.type,
      allow: formatPermissions(o.allow),
      deny: formatPermissions(o.deny),
    })),
    ...(channel.ownerFid === null ? {} : { ownerFid: channel.ownerFid }),
  };
}

export function roleShape(role: RoleRecord): Role {
  return {
    id: role.id,
    name: role.name,
    permissions: formatPermissions(role.permissions),
    position: role.position,
    color: role.color,
  };
}

export function memberShape(member: MemberRecord): Member {
  return { fid: member.fid, roles: [...member.roleIds], joinedAt: member.joinedAt };
}

export function banShape(ban: BanRecord): Ban {
  return { fid: ban.fid, reason: ban.reason, bannedBy: ban.bannedByFid, createdAt: ban.createdAt };
}

export function inviteShape(invite: GuildInviteRecord): Invite {
  return {
    code: invite.code,
    guildId: invite.guildId,
    channelId: invite.channelId,
    inviterFid: invite.inviterFid,
    uses: invite.uses,
    maxUses: invite.maxUses ?? 0,
    maxAge: invite.expiresAt === null ? 0 : Math.round((invite.expiresAt - invite.createdAt) / 1000),
    expiresAt: invite.expiresAt,
    createdAt: invite.createdAt,
  };
}
