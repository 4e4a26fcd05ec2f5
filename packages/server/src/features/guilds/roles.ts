/**
 * Roles (PROFILE §7, §7.1) and Discord's hierarchy: MANAGE_ROLES lets a member create roles and edit,
 * move, delete, give and take those *below their highest role*; nobody grants permissions they lack;
 * the owner is above everything. New roles start at position 1, just above @everyone.
 */
import { ChatOp, Permission } from "@p2chat/polyproto";
import { ulid } from "ulid";
import { P2Error } from "../../http/errors.js";
import type { RoleRecord } from "../../storage/roleStore.js";
import { type MemberScope, notFound } from "./authority.js";
import { fidOf, type GuildKit, permissionsOf } from "./kit.js";
import { closeGaps, moved, type Placed, placeAt } from "./positions.js";
import type { CreateRoleBody, Member, Role, UpdateRoleBody } from "./schemas.js";
import type { Visibility } from "./visibility.js";
import { channelShape, memberShape, roleShape } from "./wire.js";

/** Roles per guild, @everyone included (Discord's limit). */
export const MAX_ROLES = 250;

/** Bits whose change can make channels appear or disappear. */
const VISIBILITY_BITS = Permission.VIEW_CHANNEL | Permission.ADMINISTRATOR;

function everyoneRole(message: string): P2Error {
  return new P2Error(400, "P2CHAT_EVERYONE_ROLE", message);
}

export class RoleService {
  constructor(private readonly kit: GuildKit) {}

  /** `GET /guilds/{id}/roles`: every role, @everyone first, by position. */
  async list(fid: string, guildId: string): Promise<Role[]> {
    const scope = await this.kit.authority.member(fid, guildId);
    return scope.state.roles.map(roleShape);
  }

  /** `POST /guilds/{id}/roles` (MANAGE_ROLES; only permissions the caller holds). */
  async create(fid: string, guildId: string, body: CreateRoleBody): Promise<Role> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("MANAGE_ROLES");
    const permissions = body.permissions === undefined ? 0n : permissionsOf(body.permissions);
    scope.requireHolds(permissions);
    const others = this.ranked(scope);
    if (others.length + 1 >= MAX_ROLES)
      throw new P2Error(400, "P2CHAT_TOO_MANY_ROLES", `a guild has at most ${MAX_ROLES} roles`);
    const now = this.kit.now();
    const role: RoleRecord = {
      id: ulid(now),
      guildId,
      name: body.name,
      permissions,
      position: 1,
      color: body.color ?? 0,
      createdAt: now,
    };
    const shifted = moved(placeAt(others, role.id, 1, 1), this.positions(scope)).filter(
      (p) => p.id !== role.id,
    );
    await this.kit.stores.transaction(async (stores) => {
      if (!(await stores.guilds.lock(guildId))) throw notFound("guild");
      await stores.roles.create(role);
      await stores.roles.setPositions(shifted);
    });
    await this.kit.events.toGuild(guildId, ChatOp.RoleCreate, { guildId, role: roleShape(role) });
    await this.announceMoves(guildId, shifted);
    return roleShape(role);
  }

  /** `PATCH /guilds/{id}/roles/{roleId}` (MANAGE_ROLES, the role and its new place below the caller). */
  async update(fid: string, guildId: string, roleId: string, body: UpdateRoleBody): Promise<Role> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("MANAGE_ROLES");
    const role = scope.state.role(roleId);
    if (!role) throw notFound("role");
    if (roleId === guildId && body.name !== undefined) throw everyoneRole("@everyone keeps its name");
    if (roleId === guildId && body.position !== undefined)
      throw everyoneRole("@everyone stays at position 0");
    scope.requireAboveRole(role.position);
    const changes: { name?: string; permissions?: bigint; color?: number } = {};
    if (body.name !== undefined) changes.name = body.name;
    if (body.color !== undefined) changes.color = body.color;
    if (body.permissions !== undefined) {
      changes.permissions = permissionsOf(body.permissions);
      // Neither adding nor removing what the caller does not hold.
      scope.requireHolds(changes.permissions ^ role.permissions);
    }
    let placements: Placed[] = [];
    if (body.position !== undefined && body.position !== role.position) {
      scope.requireAboveRole(body.position, "the new position");
      placements = moved(placeAt(this.ranked(scope), roleId, body.position, 1), this.positions(scope));
    }
    const changesView =
      changes.permissions !== undefined &&
      ((changes.permissions ^ role.permissions) & VISIBILITY_BITS) !== 0n;
    const before = changesView ? await this.kit.views.of(guildId) : undefined;
    await this.kit.stores.transaction(async (stores) => {
      await stores.roles.update(roleId, changes);
      await stores.roles.setPositions(placements);
    });
    const updated = await this.kit.stores.roles.find(roleId);
    if (!updated) throw notFound("role");
    await this.kit.events.toGuild(guildId, ChatOp.RoleUpdate, { guildId, role: roleShape(updated) });
    await this.announceMoves(
      guildId,
      placements.filter((p) => p.id !== roleId),
    );
    if (before) await this.viewChanged(guildId, before);
    return roleShape(updated);
  }

  /** `DELETE /guilds/{id}/roles/{roleId}` (MANAGE_ROLES, the role below the caller; never @everyone). */
  async delete(fid: string, guildId: string, roleId: string): Promise<void> {
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("MANAGE_ROLES");
    const role = scope.state.role(roleId);
    if (!role) throw notFound("role");
    if (roleId === guildId) throw everyoneRole("@everyone cannot be deleted");
    scope.requireAboveRole(role.position);
    const before = await this.kit.views.of(guildId);
    if (!before) throw notFound("guild");
    const remaining = this.ranked(scope).filter((r) => r.id !== roleId);
    const shifted = moved(closeGaps(remaining, 1), this.positions(scope));
    await this.kit.stores.transaction(async (stores) => {
      await stores.channels.deleteOverwritesOf(guildId, roleId);
      await stores.roles.delete(roleId);
      await stores.roles.setPositions(shifted);
    });
    await this.kit.events.toGuild(guildId, ChatOp.RoleDelete, { guildId, roleId });
    await this.announceMoves(guildId, shifted);
    // Channels that had an overwrite for the role changed too: ChannelUpdate to those who keep them.
    const after = await this.kit.views.of(guildId);
    if (!after) return;
    await this.kit.events.viewChanged(before, after, async () => {
      for (const channel of before.channels.values()) {
        const now = after.channels.get(channel.id);
        if (now && channel.overwrites.some((o) => o.id === roleId)) {
          await this.kit.events.toChannel(channel.id, ChatOp.ChannelUpdate, channelShape(now));
        }
      }
    });
  }

  /**
   * `PUT` / `DELETE /guilds/{id}/members/{fid}/roles/{roleId}` (MANAGE_ROLES, the role below the
   * caller). Idempotent; GuildMemberUpdate only when something changed.
   */
  async assign(
    fid: string,
    guildId: string,
    targetInput: string,
    roleId: string,
    give: boolean,
  ): Promise<Member> {
    const target = fidOf(targetInput);
    const scope = await this.kit.authority.member(fid, guildId);
    scope.require("MANAGE_ROLES");
    const role = scope.state.role(roleId);
    if (!role) throw notFound("role");
    if (roleId === guildId) throw everyoneRole("every member holds @everyone");
    scope.requireAboveRole(role.position);
    const before = await this.kit.views.of(guildId, [target]);
    if (!before?.viewers.has(target)) throw notFound("member");
    const changed = give
      ? await this.kit.stores.members.addRole(guildId, target, roleId)
      : await this.kit.stores.members.removeRole(guildId, target, roleId);
    const member = await this.kit.stores.members.find(guildId, target);
    if (!member) throw notFound("member");
    if (changed) {
      await this.kit.events.toGuild(guildId, ChatOp.GuildMemberUpdate, {
        guildId,
        member: memberShape(member),
      });
      await this.viewChanged(guildId, before, [target]);
    }
    return memberShape(member);
  }

  /** Roles other than @everyone, as positioned now. */
  private ranked(scope: MemberScope): RoleRecord[] {
    return scope.state.roles.filter((r) => r.id !== scope.guildId);
  }

  private positions(scope: MemberScope): Map<string, number> {
    return new Map(scope.state.roles.map((r) => [r.id, r.position]));
  }

  private async viewChanged(
    guildId: string,
    before: Visibility,
    fids?: readonly string[],
  ): Promise<Visibility | undefined> {
    const after = await this.kit.views.of(guildId, fids);
    if (after) await this.kit.events.viewChanged(before, after);
    return after;
  }

  private async announceMoves(guildId: string, placements: readonly Placed[]): Promise<void> {
    for (const { id } of placements) {
      const role = await this.kit.stores.roles.find(id);
      if (role) await this.kit.events.toGuild(guildId, ChatOp.RoleUpdate, { guildId, role: roleShape(role) });
    }
  }
}
