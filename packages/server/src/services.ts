/**
 * The server's feature services, built once per process from the config and storage and handed to
 * every feature plugin through the context. Features talk to each other only through these.
 */
import type { FastifyBaseLogger } from "fastify";
import { MemoryBus } from "./bus/memoryBus.js";
import { RedisBus, RedisSessionHandoff } from "./bus/redisBus.js";
import type { Config } from "./config.js";
import { AccountService } from "./features/auth/service.js";
import { CertificateAuthority } from "./features/ca/service.js";
import { CoreService } from "./features/core/service.js";
import { KeyMaterialService } from "./features/keyMaterial/service.js";
import { ForeignService } from "./features/foreign/service.js";
import type { ChatAccess } from "./features/chat/access.js";
import { GuildChatAccess } from "./features/guilds/access.js";
import { GuildService } from "./features/guilds/service.js";
import { guildTopicSource } from "./features/guilds/topics.js";
import { AttachmentFiles, AttachmentService } from "./features/messages/attachments.js";
import { MessageService } from "./features/messages/service.js";
import { AuthorKeys } from "./features/messages/signedWrite.js";
import { ServiceDiscovery } from "./features/services/service.js";
import { SessionService } from "./features/sessions/service.js";
import { FederationService } from "./federation/service.js";
import { gatewayIdentityEvents } from "./gateway/identityEvents.js";
import { DEFAULT_GATEWAY_OPTIONS, GatewayHub, type GatewayOptions } from "./gateway/hub.js";
import type { Storage } from "./storage/storage.js";

export interface Services {
  readonly ca: CertificateAuthority;
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly core: CoreService;
  readonly discovery: ServiceDiscovery;
  readonly keyMaterial: KeyMaterialService;
  readonly federation: FederationService;
  readonly foreign: ForeignService;
  readonly gateway: GatewayHub;
  /** The guild side of chat (PROFILE §7): guilds, channels, roles, members, bans, invites. */
  readonly guilds: GuildService;
  /** What the message side asks the guild side: a channel as one actor sees it. */
  readonly chatAccess: ChatAccess;
  /** The message side of chat (PROFILE §7.1): messages, reactions, pins, typing, read states. */
  readonly messages: MessageService;
  readonly attachments: AttachmentService;
}

export interface ServiceOptions {
  readonly log: FastifyBaseLogger;
  /** Gateway settings beyond the defaults (tests shorten the heartbeat interval). */
  readonly gateway?: Partial<GatewayOptions>;
}

/** The gateway hub on the in-process bus, or on Redis (with multi-node resume) when configured. */
function createGateway(config: Config, sessions: SessionService, options: ServiceOptions): GatewayHub {
  const gatewayOptions = { ...DEFAULT_GATEWAY_OPTIONS, ...options.gateway };
  if (!config.redisUrl) return new GatewayHub(new MemoryBus(), sessions, gatewayOptions, options.log);
  const bus = new RedisBus(config.redisUrl, config.domain);
  return new GatewayHub(bus, sessions, gatewayOptions, options.log, new RedisSessionHandoff(bus));
}

export async function createServices(
  config: Config,
  storage: Storage,
  options: ServiceOptions,
): Promise<Services> {
  const ca = await CertificateAuthority.open({
    domain: config.domain,
    dataDir: config.dataDir,
    certValidityDays: config.certValidityDays,
    cacheTtlSeconds: config.cacheTtlSeconds,
    serverKeys: storage.serverKeys,
    idCerts: storage.idCerts,
  });
  const sessions = new SessionService(storage.sessionTokens);
  const gateway = createGateway(config, sessions, options);
  const events = gatewayIdentityEvents(gateway);
  const accounts = new AccountService({
    domain: config.domain,
    registration: config.registration,
    storage,
    ca,
    sessions,
    events,
  });
  const federation = new FederationService({
    domain: config.domain,
    peers: config.peers,
    foreignCerts: storage.foreignCerts,
  });
  const core = new CoreService({
    ca,
    idCerts: storage.idCerts,
    sessions,
    accounts,
    publicUrl: config.publicUrl,
    events,
    foreignActorCerts: (fid, sessionId) => federation.listActorCerts(fid, sessionId),
  });

  const foreign = new ForeignService({
    domain: config.domain,
    challenges: storage.challenges,
    keyTrials: storage.keyTrials,
    idCerts: storage.idCerts,
    ca,
    sessions,
    federation,
  });
  gateway.setInvalidationVerifier((session, payload) =>
    core.verifyInvalidation(
      session,
      payload,
      async (domain) => (await federation.homeRoot(domain)).publicKey,
    ),
  );
  const discovery = new ServiceDiscovery({ domain: config.domain, storage, accounts });
  const keyMaterial = new KeyMaterialService({
    maxBytes: config.keyMaterialMaxBytes,
    idCerts: storage.idCerts,
    storage,
  });
  const guilds = new GuildService({ stores: storage, gateway });
  const chatAccess = new GuildChatAccess(guilds.kit.authority);
  gateway.addTopicSource(guildTopicSource(storage, guilds.kit.views));
  const attachmentFiles = new AttachmentFiles(config.dataDir);
  const messages = new MessageService({
    domain: config.domain,
    messageMaxChars: config.messageMaxChars,
    access: chatAccess,
    messages: storage.messages,
    reactions: storage.reactions,
    readStates: storage.readStates,
    keys: new AuthorKeys(storage.idCerts),
    events: gateway,
    files: attachmentFiles,
    onEventError: (error) => options.log.warn({ err: error }, "chat event not published"),
  });
  const attachments = new AttachmentService({
    publicUrl: config.publicUrl,
    maxBytes: config.attachmentMaxBytes,
    allowedTypes: config.attachmentTypes,
    attachments: storage.attachments,
    files: attachmentFiles,
    access: chatAccess,
  });
  return {
    ca,
    sessions,
    accounts,
    core,
    gateway,
    federation,
    foreign,
    discovery,
    keyMaterial,
    guilds,
    chatAccess,
    messages,
    attachments,
  };
}
