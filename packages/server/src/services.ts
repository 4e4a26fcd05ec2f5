/**
 * The server's feature services, built once per process from the config and storage and handed to
 * every feature plugin through the context. Features talk to each other only through these.
 */
import type { Config } from "./config.js";
import { AccountService } from "./features/auth/service.js";
import { CertificateAuthority } from "./features/ca/service.js";
import { CoreService } from "./features/core/service.js";
import { ForeignService } from "./features/foreign/service.js";
import { KeyMaterialService } from "./features/keyMaterial/service.js";
import { ServiceDiscovery } from "./features/services/service.js";
import { SessionService } from "./features/sessions/service.js";
import { FederationService } from "./federation/service.js";
import type { Storage } from "./storage/storage.js";

export interface Services {
  readonly ca: CertificateAuthority;
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly core: CoreService;
  readonly federation: FederationService;
  readonly foreign: ForeignService;
  readonly discovery: ServiceDiscovery;
  readonly keyMaterial: KeyMaterialService;
}

export async function createServices(config: Config, storage: Storage): Promise<Services> {
  const ca = await CertificateAuthority.open({
    domain: config.domain,
    dataDir: config.dataDir,
    certValidityDays: config.certValidityDays,
    cacheTtlSeconds: config.cacheTtlSeconds,
    serverKeys: storage.serverKeys,
    idCerts: storage.idCerts,
  });
  const sessions = new SessionService(storage.sessionTokens);
  const accounts = new AccountService({
    domain: config.domain,
    registration: config.registration,
    storage,
    ca,
    sessions,
  });
  const core = new CoreService({
    ca,
    idCerts: storage.idCerts,
    sessions,
    accounts,
    publicUrl: config.publicUrl,
  });
  const discovery = new ServiceDiscovery({ domain: config.domain, storage, accounts });
  const keyMaterial = new KeyMaterialService({
    maxBytes: config.keyMaterialMaxBytes,
    idCerts: storage.idCerts,
    storage,
  });
  const federation = new FederationService({
    domain: config.domain,
    peers: config.peers,
    foreignCerts: storage.foreignCerts,
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
  return { ca, sessions, accounts, core, discovery, keyMaterial, federation, foreign };
}
