/**
 * Shapes of the discoverable-services routes [core §9, reference/openapi polyproto.core-v1.0-beta.3
 * `Models.Service`]. Names and URLs are checked by the service (`isValidServiceName`, http(s) only),
 * so the schemas only bound their sizes.
 */
import { type Static, Type } from "typebox";

export const SERVICE_URL_MAX_LENGTH = 2048;
/** At most this many providers in one DELETE (the query string stays well below header limits). */
export const MAX_REMOVALS = 64;
/** One query value may hold a comma-separated list; Node's header limit (16 KiB) bounds it anyway. */
const QUERY_VALUE_MAX_LENGTH = 16384;

export const Service = Type.Object(
  {
    service: Type.String({ minLength: 2, maxLength: 64, description: "service namespace [core §8.2]" }),
    url: Type.String({
      maxLength: SERVICE_URL_MAX_LENGTH,
      description: "base URL of the provider, without /.p2/<service>",
    }),
    primary: Type.Boolean({ description: "whether this is the actor's primary provider of the service" }),
  },
  { description: "A discoverable service of an actor [core §9]" },
);
export type Service = Static<typeof Service>;

export const RegisterServiceBody = Type.Object(
  {
    service: Type.Object(
      {
        service: Type.String({ maxLength: 64 }),
        url: Type.String({ maxLength: SERVICE_URL_MAX_LENGTH }),
        primary: Type.Optional(
          Type.Boolean({
            description:
              "true: become the primary provider (sensitive when the service already has a primary); " +
              "the first provider of a service is always primary",
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type RegisterServiceBody = Static<typeof RegisterServiceBody>;

/** `?name=a,b&url=u1,u2` (OpenAPI form, explode=false) or the parameters repeated. */
export const UnregisterServiceQuery = Type.Object(
  {
    name: Type.Array(Type.String({ maxLength: QUERY_VALUE_MAX_LENGTH }), {
      minItems: 1,
      maxItems: MAX_REMOVALS,
      description: "service names; index i belongs to url i",
    }),
    url: Type.Array(Type.String({ maxLength: QUERY_VALUE_MAX_LENGTH }), {
      minItems: 1,
      maxItems: MAX_REMOVALS,
      description: "provider URLs; index i belongs to name i",
    }),
  },
  { additionalProperties: false },
);

export const PrimaryChange = Type.Object({
  service: Type.String(),
  new_primary: Type.String({ description: "the provider that became primary" }),
});

export const SetPrimaryBody = Type.Object(
  {
    name: Type.String({ maxLength: 64, description: "service name" }),
    url: Type.String({ maxLength: SERVICE_URL_MAX_LENGTH, description: "an already registered provider" }),
  },
  { additionalProperties: false },
);
export type SetPrimaryBody = Static<typeof SetPrimaryBody>;

export const DiscoverParams = Type.Object({ fid: Type.String({ maxLength: 320 }) });
export const DiscoverServiceParams = Type.Object({
  fid: Type.String({ maxLength: 320 }),
  service: Type.String({ maxLength: 64 }),
});
export const DiscoverQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: "at most this many entries, primaries first; 1: only the primary of each service",
      }),
    ),
  },
  { additionalProperties: false },
);
