/**
 * Guild invites (PROFILE §7.1): a random code for a channel, with an optional maximum of uses and an
 * expiry (default 24 h), both enforced by one conditional UPDATE when the code is redeemed.
 */
import { randomInt } from "node:crypto";
import { hasPermission, Permission } from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import type { GuildInviteRecord } from "../../storage/guildInviteStore.js";
import { missing, notFound } from "./authority.js";
import { ChannelKind } from "./guildState.js";
import type { GuildKit } from "./kit.js";
import type { JoinOutcome, MemberService } from "./members.js";
import type { CreateInviteBody, Guild, Invite, InvitePreview } from "./schemas.js";
import { guildShape, inviteShape } from "./wire.js";

const CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 10 characters of base 62: about 59.5 bits, beyond guessing at any rate limit. */
const CODE_LENGTH = 10;
/** PROFILE §7.1: invites last a day unless told otherwise. */
const DEFAULT_MAX_AGE_SECONDS = 86_400;

function newCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Whether the invite still admits someone at `now`. */
function usable(invite: GuildInviteRecord, now: number): boolean {
  return (
    (invite.expiresAt === null || invite.expiresAt > now) &&
    (invite.maxUses === null || invite.uses < invite.maxUses)
  );
}

export class InviteService {
  constructor(
    private readonly kit: GuildKit,
    private readonly members: MemberService,
  ) {}

  /** `POST /channels/{id}/invites {maxAge?, maxUses?}` (CREATE_INVITE in the channel). */
  async create(fid: string, channelId: string, body: CreateInviteBody): Promise<Invite> {
    const scope = await this.kit.authority.channel(fid, channelId);
    scope.require("CREATE_INVITE");
    if (scope.channel.type === ChannelKind.Category) {
      throw new P2Error(400, "P2CHAT_INVALID_CHANNEL_TYPE", "an invite leads to a channel, not a category");
    }
    const now = this.kit.now();
    const maxAge = body.maxAge ?? DEFAULT_MAX_AGE_SECONDS;
    const maxUses = body.maxUses ?? 0;
    for (;;) {
      const invite: GuildInviteRecord = {
        code: newCode(),
        guildId: scope.guildId,
        channelId,
        inviterFid: fid,
        uses: 0,
        maxUses: maxUses === 0 ? null : maxUses,
        expiresAt: maxAge === 0 ? null : now + maxAge * 1000,
        createdAt: now,
      };
      if (await this.kit.stores.guildInvites.create(invite)) return inviteShape(invite);
    }
  }

  /** `GET /guilds/{id}/invites` (MANAGE_GUILD): every invite, used up or expired included, newest first. */
  async list(fid: string, guildId: string): Promise<Invite[]> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("MANAGE_GUILD");
    return (await this.kit.stores.guildInvites.listOfGuild(guildId)).map(inviteShape);
  }

  /** `GET /invites/{code}`: what the code leads to, for anyone holding it; 404 once it is spent. */
  async preview(code: string): Promise<InvitePreview> {
    const invite = await this.usableInvite(code);
    const [guild, channel, memberCount] = await Promise.all([
      this.kit.stores.guilds.find(invite.guildId),
      this.kit.stores.channels.find(invite.channelId),
      this.kit.stores.members.count(invite.guildId),
    ]);
    if (!guild || !channel) throw notFound("invite");
    return {
      code,
      guild: guildShape(guild),
      channel: { id: channel.id, name: channel.name, type: channel.type },
      memberCount,
      expiresAt: invite.expiresAt,
    };
  }

  /** `POST /invites/{code}`: joins the guild (403 `P2CHAT_BANNED` for banned actors). */
  async join(fid: string, code: string): Promise<{ outcome: JoinOutcome; guild: Guild }> {
    const invite = await this.usableInvite(code);
    return this.members.join(fid, invite.guildId, code);
  }

  /**
   * `DELETE /invites/{code}`: by whoever made it, or a member with MANAGE_GUILD, or with MANAGE_CHANNEL
   * in its channel. Others of the guild get 403; anyone else 404.
   */
  async delete(fid: string, code: string): Promise<void> {
    const invite = await this.kit.stores.guildInvites.find(code);
    if (!invite) throw notFound("invite");
    const scope = await this.kit.authority.member(fid, invite.guildId).catch(() => {
      throw notFound("invite");
    });
    if (invite.inviterFid !== fid && !hasPermission(scope.base, Permission.MANAGE_GUILD)) {
      const channel = await this.kit.stores.channels.find(invite.channelId);
      const inChannel = channel ? scope.state.inChannel(scope.self, channel) : 0n;
      if (!hasPermission(inChannel, Permission.MANAGE_CHANNEL)) throw missing("MANAGE_GUILD");
    }
    if (!(await this.kit.stores.guildInvites.delete(code))) throw notFound("invite");
  }

  private async usableInvite(code: string): Promise<GuildInviteRecord> {
    const invite = await this.kit.stores.guildInvites.find(code);
    if (!invite || !usable(invite, this.kit.now())) throw notFound("invite");
    return invite;
  }
}
