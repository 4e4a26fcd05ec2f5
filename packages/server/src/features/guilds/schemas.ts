/**
 * Shapes of the guild side of the chat API (PROFILE §7.1): Guild, Channel, Role, Member, Ban,
 * Invite, the request bodies and the route parameters. One source for validation, types and OpenAPI.
 */
import { type Static, type TSchema, Type } from "typebox";

/** A ULID as this server issues them (Crockford base32, upper case). */
export const Ulid = Type.String({ pattern: "^[0-9A-HJKMNP-TV-Z]{26}$", description: "ULID" });
/** A federation ID in a path or body; parsed and lowercased by the service (PROFILE §1). */
export const Fid = Type.String({ minLength: 3, maxLength: 320, description: "federation ID" });
/** A permission bitfield: decimal string of an integer below 2^64 (PROFILE §7). */
export const Permissions = Type.String({
  pattern: "^(0|[1-9][0-9]{0,19})$",
  description: "permission bitfield, decimal string (< 2^64)",
});
export const UnixMs = Type.Integer({ minimum: 0, description: "UNIX ms" });

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Description = Type.String({ maxLength: 1000 });
const Icon = Type.String({ minLength: 1, maxLength: 2048, description: "icon URL or attachment ID" });
const Topic = Type.String({ maxLength: 1024 });
const Position = Type.Integer({ minimum: 0, maximum: 10_000 });
const Color = Type.Integer({ minimum: 0, maximum: 0xffffff, description: "0xRRGGBB; 0 for none" });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ChannelType = Type.Integer({
  minimum: 1,
  maximum: 5,
  description: "1 text, 2 thread, 3 forum, 4 category, 5 group DM",
});

export const Guild = Type.Object(
  {
    id: Ulid,
    name: Type.String(),
    description: Nullable(Type.String()),
    icon: Nullable(Type.String()),
    ownerFid: Type.String(),
    public: Type.Boolean(),
    createdAt: UnixMs,
  },
  { $id: "ChatGuild", description: "PROFILE §7.1 Guild" },
);
export type Guild = Static<typeof Guild>;

export const OverwriteType = Type.Union([Type.Literal("role"), Type.Literal("member")]);
export const Overwrite = Type.Object(
  {
    id: Type.String({ description: "role ID (the guild ID for @everyone) or member FID" }),
    type: OverwriteType,
    allow: Permissions,
    deny: Permissions,
  },
  { $id: "ChatOverwrite" },
);
export type Overwrite = Static<typeof Overwrite>;

export const Channel = Type.Object(
  {
    id: Ulid,
    guildId: Type.Optional(Ulid),
    type: ChannelType,
    name: Type.String(),
    topic: Nullable(Type.String()),
    parentId: Nullable(Ulid),
    position: Type.Integer(),
    encrypted: Type.Boolean(),
    overwrites: Type.Array(Overwrite),
    ownerFid: Type.Optional(Type.String()),
    recipients: Type.Optional(Type.Array(Type.String())),
  },
  { $id: "ChatChannel", description: "PROFILE §7.1 Channel" },
);
export type Channel = Static<typeof Channel>;

export const Role = Type.Object(
  {
    id: Ulid,
    name: Type.String(),
    permissions: Permissions,
    position: Type.Integer(),
    color: Type.Integer(),
  },
  { $id: "ChatRole", description: "PROFILE §7.1 Role (the @everyone role's ID is the guild's)" },
);
export type Role = Static<typeof Role>;

export const Member = Type.Object(
  {
    fid: Type.String(),
    roles: Type.Array(Ulid, { description: "role IDs, @everyone not listed" }),
    joinedAt: UnixMs,
  },
  { $id: "ChatMember", description: "PROFILE §7.1 Member" },
);
export type Member = Static<typeof Member>;

export const Ban = Type.Object(
  { fid: Type.String(), reason: Nullable(Type.String()), bannedBy: Type.String(), createdAt: UnixMs },
  { $id: "ChatBan" },
);
export type Ban = Static<typeof Ban>;

export const Invite = Type.Object(
  {
    code: Type.String(),
    guildId: Ulid,
    channelId: Ulid,
    inviterFid: Type.String(),
    uses: Type.Integer(),
    maxUses: Type.Integer({ description: "0: unlimited" }),
    maxAge: Type.Integer({ description: "seconds; 0: never expires" }),
    expiresAt: Nullable(UnixMs),
    createdAt: UnixMs,
  },
  { $id: "ChatInvite" },
);
export type Invite = Static<typeof Invite>;

export const InvitePreview = Type.Object(
  {
    code: Type.String(),
    guild: Guild,
    channel: Type.Object({ id: Ulid, name: Type.String(), type: ChannelType }),
    memberCount: Type.Integer(),
    expiresAt: Nullable(UnixMs),
  },
  { $id: "ChatInvitePreview", description: "what anyone holding the code may see before joining" },
);
export type InvitePreview = Static<typeof InvitePreview>;

// Bodies.

export const CreateGuildBody = Type.Object({
  name: Name,
  description: Type.Optional(Nullable(Description)),
  icon: Type.Optional(Nullable(Icon)),
  public: Type.Optional(Type.Boolean()),
});
export type CreateGuildBody = Static<typeof CreateGuildBody>;

export const UpdateGuildBody = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(Nullable(Description)),
  icon: Type.Optional(Nullable(Icon)),
  public: Type.Optional(Type.Boolean()),
});
export type UpdateGuildBody = Static<typeof UpdateGuildBody>;

export const OverwriteBody = Type.Object({ type: OverwriteType, allow: Permissions, deny: Permissions });
export type OverwriteBody = Static<typeof OverwriteBody>;

export const CreateChannelBody = Type.Object({
  name: Name,
  type: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 4, description: "1 text (default), 2 thread, 3 forum, 4 category" }),
  ),
  topic: Type.Optional(Nullable(Topic)),
  parentId: Type.Optional(Nullable(Ulid)),
  position: Type.Optional(Position),
  overwrites: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.String({ minLength: 1, maxLength: 320 }), ...OverwriteBody.properties }),
      {
        maxItems: 100,
        description: "initial overwrites (needs MANAGE_ROLES); default: the parent category's",
      },
    ),
  ),
});
export type CreateChannelBody = Static<typeof CreateChannelBody>;

export const UpdateChannelBody = Type.Object({
  name: Type.Optional(Name),
  topic: Type.Optional(Nullable(Topic)),
  parentId: Type.Optional(Nullable(Ulid)),
  position: Type.Optional(Position),
  encrypted: Type.Optional(
    Type.Boolean({ description: "true turns encryption on (irreversible, PROFILE §8)" }),
  ),
});
export type UpdateChannelBody = Static<typeof UpdateChannelBody>;

export const CreateRoleBody = Type.Object({
  name: Name,
  permissions: Type.Optional(Permissions),
  color: Type.Optional(Color),
});
export type CreateRoleBody = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Type.Object({
  name: Type.Optional(Name),
  permissions: Type.Optional(Permissions),
  color: Type.Optional(Color),
  position: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10_000, description: "1 is just above @everyone" }),
  ),
});
export type UpdateRoleBody = Static<typeof UpdateRoleBody>;

export const BanBody = Type.Object({ reason: Type.Optional(Nullable(Type.String({ maxLength: 512 }))) });
export type BanBody = Static<typeof BanBody>;

export const CreateInviteBody = Type.Object({
  maxAge: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 31_536_000,
      description: "seconds, default 86400; 0: never expires",
    }),
  ),
  maxUses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: "default 0: unlimited" })),
});
export type CreateInviteBody = Static<typeof CreateInviteBody>;

// Parameters and queries.

export const GuildParams = Type.Object({ guildId: Ulid });
export const ChannelParams = Type.Object({ channelId: Ulid });
export const RoleParams = Type.Object({ guildId: Ulid, roleId: Ulid });
export const MemberParams = Type.Object({ guildId: Ulid, fid: Fid });
export const MemberRoleParams = Type.Object({ guildId: Ulid, fid: Fid, roleId: Ulid });
export const OverwriteParams = Type.Object({
  channelId: Ulid,
  targetId: Type.String({ minLength: 1, maxLength: 320 }),
});
export const InviteParams = Type.Object({ code: Type.String({ pattern: "^[A-Za-z0-9]{1,32}$" }) });

const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 50 });
export const PageQuery = Type.Object(
  { limit: Type.Optional(Limit), after: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })) },
  { additionalProperties: false },
);
export const GuildListQuery = Type.Object(
  {
    public: Type.Optional(
      Type.Boolean({ description: "true: discovery of public guilds; else the caller's guilds" }),
    ),
    limit: Type.Optional(Limit),
    after: Type.Optional(Ulid),
  },
  { additionalProperties: false },
);

export const GuildCreatePayload = Type.Object({
  guild: Guild,
  roles: Type.Array(Role),
  channels: Type.Array(Channel),
  member: Member,
});
export type GuildCreatePayload = Static<typeof GuildCreatePayload>;
