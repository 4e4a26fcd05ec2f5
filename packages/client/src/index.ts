/**
 * @p2chat/client — the polyproto / polyproto-chat client SDK for Node 20 and browsers: sessions on
 * home and foreign servers, the gateway, message verification, stores, and the typed APIs.
 */
export {
  P2Client,
  type ClientOptions,
  type LoginOptions,
  type MessageToSign,
  type RegisterOptions,
  type ResumeOptions,
} from "./client.js";
export { type ClientErrorCode, P2ClientError } from "./errors.js";

export type { ApiAnswer, ApiCaller, ApiRequest, HttpMethod, QueryValue } from "./http/api.js";
export type { ApiName, ServerEndpoints } from "./http/resolver.js";

export type { CreateInviteOptions, RegisterRequest, RegistrationInvite } from "./api/auth.js";
export type { InvitesApi } from "./api/auth.js";
export type { EventPollingApi } from "./api/events.js";
export type {
  Challenge,
  CompletedKeyTrial,
  ForeignApi,
  KeyTrialQuery,
  KeyTrialSolution,
} from "./api/foreign.js";
export type { ActorCertQuery, IdentityApi, NewSessionCert } from "./api/identity.js";
export type { EncryptedKeyMaterial, KeyMaterialApi } from "./api/keyMaterial.js";
export type { PrimaryChange, ServiceProvider, ServicesApi } from "./api/services.js";

export {
  type DeliveredEvent,
  type EmittedEvent,
  type EventMeta,
  type GatewayEventMap,
  type Listener,
  type NextOptions,
  type ServiceEvent,
  TypedEmitter,
} from "./gateway/events.js";
export {
  GatewayClient,
  type GatewayClientOptions,
  type GatewayState,
  type ReconnectOptions,
} from "./gateway/gatewayClient.js";
export { SequenceTracker } from "./gateway/sequenceTracker.js";
export type { GatewaySocket, SocketFactory, SocketHandlers } from "./gateway/socket.js";

export type { SessionIdentity } from "./session/identity.js";

export {
  type ClientStore,
  RecordStore,
  type RecordBackend,
  type SessionRef,
  type StoredActorCert,
  type StoredServerRoot,
  type StoredSession,
} from "./store/store.js";
export { MemoryStore } from "./store/memoryStore.js";
export { IndexedDbStore, type IndexedDbStoreOptions } from "./store/indexedDbStore.js";
export { FileStore } from "#platform/fileStore";

export {
  type CertSource,
  conversationServerOf,
  type SignedMessageInput,
  type VerificationResult,
  type VerificationStatus,
  type VerifyOptions,
} from "./verify/verifyMessage.js";
