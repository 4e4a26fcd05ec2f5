/** Shapes of the health feature: the single source of its validation, types and OpenAPI entries. */
import { type Static, Type } from "typebox";

export const HealthStatus = Type.Object(
  { status: Type.Literal("ok") },
  { description: "The server is up and its database answers." },
);
export type HealthStatus = Static<typeof HealthStatus>;
