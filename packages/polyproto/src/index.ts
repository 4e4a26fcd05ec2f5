/** @p2chat/polyproto — the polyproto protocol: pure, isomorphic (Node 20 and browsers). */
export * from "./bytes.js";
export * from "./errors.js";
export * from "./pem.js";
export * from "./keys.js";
export * from "./federationId.js";
export * from "./sessionId.js";
export * from "./serviceName.js";
export * from "./keyTrial.js";
export * from "./signedMessage.js";
export * from "./gateway/index.js";
export * from "./pdn.js";
export * from "./idCsr.js";
export * from "./idCert.js";
export * from "./cacheableIdCert.js";
export * from "./chat/permissions.js";
