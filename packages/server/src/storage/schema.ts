/**
 * The tables as Kysely sees them. Columns are snake_case in SQL and camelCase here (CamelCasePlugin).
 * Portable types only (see migrations/): text ids and serials, bigint unix-ms timestamps returned as
 * numbers on both dialects, booleans as integer 0/1 (better-sqlite3 cannot bind JS booleans).
 * Stores map rows to their own record types; nothing outside storage/ sees these.
 */

/** 0 or 1: a boolean column. */
export type Flag = 0 | 1;

export interface AccountsTable {
  fid: string;
  localName: string;
  passwordHash: string;
  createdAt: number;
  isAdmin: Flag;
  totpSecret: string | null;
}

export interface RegistrationInvitesTable {
  code: string;
  createdByFid: string;
  usesLeft: number | null;
  expiresAt: number | null;
  createdAt: number;
}

export interface IdCertsTable {
  serial: string;
  fid: string;
  sessionId: string;
  certPem: string;
  publicKeyHex: string;
  notBefore: number;
  notAfter: number;
  invalidatedAt: number | null;
  createdAt: number;
}

export interface SessionTokensTable {
  tokenHash: string;
  fid: string;
  certSerial: string;
  sessionId: string;
  isForeign: Flag;
  foreignCertPem: string | null;
  foreignDomain: string | null;
  expiresAt: number;
  createdAt: number;
}

export interface ChallengesTable {
  challenge: string;
  expiresAt: number;
  consumedAt: number | null;
}

export interface KeyTrialsTable {
  challenge: string;
  fid: string;
  certSerial: string;
  signature: string;
  completedAt: number;
}

export interface ServicesTable {
  fid: string;
  service: string;
  url: string;
  isPrimary: Flag;
  createdAt: number;
}

export interface KeyMaterialTable {
  fid: string;
  certSerial: string;
  material: string;
  createdAt: number;
}

export interface ServerKeysTable {
  serial: string;
  certPem: string;
  notBefore: number;
  notAfter: number;
  invalidatedAt: number | null;
  isCurrent: Flag;
}

export interface ForeignCertsTable {
  domain: string;
  serial: string;
  fid: string;
  cacheableJson: string;
  fetchedAt: number;
  cacheNotValidAfter: number;
}

export interface Database {
  accounts: AccountsTable;
  registrationInvites: RegistrationInvitesTable;
  idCerts: IdCertsTable;
  sessionTokens: SessionTokensTable;
  challenges: ChallengesTable;
  keyTrials: KeyTrialsTable;
  services: ServicesTable;
  keyMaterial: KeyMaterialTable;
  serverKeys: ServerKeysTable;
  foreignCerts: ForeignCertsTable;
}
