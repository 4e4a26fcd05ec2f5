/** The gateway frame codec [core §3.2, PROFILE §5]: opcodes, envelope, payloads, heartbeat ranges. */
export * from "./envelope.js";
export * from "./errors.js";
export { MAX_SEQUENCE_NUMBER } from "./fields.js";
export * from "./frames.js";
export * from "./heartbeat.js";
export * from "./opcodes.js";
export * from "./payloads.js";
