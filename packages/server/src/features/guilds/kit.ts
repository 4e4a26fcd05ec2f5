/** What every part of the guild service shares: storage, the authority, the views and the events. */
import { ALL_PERMISSIONS, parseFederationId, parsePermissions } from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import { type GuildStores, GuildAuthority } from "./authority.js";
import { type GatewayPublisher, GuildEvents } from "./events.js";
import { GuildViews } from "./visibility.js";

export interface GuildServiceDeps {
  readonly stores: GuildStores;
  readonly gateway: GatewayPublisher;
  /** Unix ms (tests move time). */
  readonly now?: () => number;
}

export class GuildKit {
  readonly stores: GuildStores;
  readonly authority: GuildAuthority;
  readonly views: GuildViews;
  readonly events: GuildEvents;
  readonly now: () => number;

  constructor(deps: GuildServiceDeps) {
    this.stores = deps.stores;
    this.authority = new GuildAuthority(deps.stores);
    this.views = new GuildViews(deps.stores);
    this.events = new GuildEvents(deps.gateway);
    this.now = deps.now ?? Date.now;
  }
}

/** A FID from a path or body, lowercased; `400 P2CORE_INVALID_FEDERATION_ID` when it is none. */
export function fidOf(input: string): string {
  return parseFederationId(input).fid;
}

/** PROFILE §4 pages: default 50, at most 100. */
export function pageOf(query: { limit?: number; after?: string }): { limit: number; after?: string } {
  return {
    limit: Math.min(query.limit ?? 50, 100),
    ...(query.after === undefined ? {} : { after: query.after }),
  };
}

/**
 * A bitfield from the wire (the schema checked its form), unknown bits dropped: accepted tolerantly,
 * stored and sent back as the bits this profile defines.
 */
export function permissionsOf(text: string): bigint {
  const bits = parsePermissions(text);
  if (bits === undefined)
    throw new P2Error(400, "P2CORE_INVALID_REQUEST", `not a permission bitfield: ${text}`);
  return bits & ALL_PERMISSIONS;
}
