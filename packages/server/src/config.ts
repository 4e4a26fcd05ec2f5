/**
 * The home server's configuration: one typed object, built once at start.
 *
 * Sources, lowest precedence first: the defaults below (they run as they are), a JSON config file
 * (`P2_CONFIG=path` or `--config path`; keys are the field names of `Config`), the environment (`P2_…`),
 * then command-line flags (`--port 3001` or `--port=3001`). Environment values and flags are strings and
 * are parsed per option; the file holds JSON values of the option's own type. Every value is checked
 * against its TypeBox schema and a failure is reported as a `ConfigError` naming where it came from.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isValidDomain } from "@p2chat/polyproto";
import { type Static, type TSchema, Type } from "typebox";
import { Value } from "typebox/value";

/** Raised for any invalid option; the message is meant for the operator, as it is. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

interface Option<S extends TSchema = TSchema> {
  readonly env: string;
  readonly flag: string;
  readonly schema: S;
  /** What a valid value looks like, for error messages. */
  readonly expect: string;
  /** Turns an environment or flag string into a value of the option's type (or leaves it to fail). */
  readonly parse: (raw: string) => unknown;
  /** Checks that TypeBox cannot express; returns a complaint or undefined. */
  readonly refine?: (value: Static<S>) => string | undefined;
  readonly doc: string;
}

const asString = (raw: string): unknown => raw;
const asInteger = (raw: string): unknown => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
const asJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};
const asSwitch = (raw: string): unknown => {
  const value = raw.trim().toLowerCase();
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  return raw;
};

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
};

function option<S extends TSchema>(spec: Option<S>): Option<S> {
  return spec;
}

/** Every option, in the order of the documentation table. */
const OPTIONS = {
  domain: option({
    env: "P2_DOMAIN",
    flag: "--domain",
    schema: Type.String(),
    expect: "a domain name such as example.chat",
    parse: asString,
    refine: (value) => (isValidDomain(value) ? undefined : "not a valid domain name"),
    doc: "the server's domain: actors are name@<domain>",
  }),
  host: option({
    env: "P2_HOST",
    flag: "--host",
    schema: Type.String({ minLength: 1 }),
    expect: "an address to listen on",
    parse: asString,
    doc: "address to listen on",
  }),
  port: option({
    env: "P2_PORT",
    flag: "--port",
    schema: Type.Integer({ minimum: 0, maximum: 65535 }),
    expect: "an integer from 0 to 65535",
    parse: asInteger,
    doc: "port to listen on (0: any free port)",
  }),
  dataDir: option({
    env: "P2_DATA_DIR",
    flag: "--data-dir",
    schema: Type.String({ minLength: 1 }),
    expect: "a directory path",
    parse: asString,
    doc: "root key, root certificate, SQLite database, uploads",
  }),
  databaseUrl: option({
    env: "P2_DATABASE_URL",
    flag: "--database-url",
    schema: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
    expect: "a postgres:// URL (leave unset for SQLite in the data dir)",
    parse: asString,
    doc: "unset: SQLite file <dataDir>/p2.sqlite; postgres://… selects PostgreSQL",
  }),
  redisUrl: option({
    env: "P2_REDIS_URL",
    flag: "--redis-url",
    schema: Type.Optional(Type.String({ pattern: "^rediss?://" })),
    expect: "a redis:// or rediss:// URL (leave unset for the in-process bus)",
    parse: asString,
    doc: "unset: in-process event bus; redis://… for the multi-node bus",
  }),
  peers: option({
    env: "P2_PEERS",
    flag: "--peers",
    schema: Type.Record(Type.String(), Type.String()),
    expect: 'a JSON object mapping domains to base URLs, e.g. {"b.test":"http://127.0.0.1:4102"}',
    parse: asJson,
    refine: (peers) => {
      for (const [domain, url] of Object.entries(peers)) {
        if (!isValidDomain(domain)) return `not a domain name: ${domain}`;
        if (!isHttpUrl(url)) return `not an http(s) URL: ${url}`;
      }
      return undefined;
    },
    doc: "static resolver for other home servers, domain → base URL (allows plain HTTP to them)",
  }),
  registration: option({
    env: "P2_REGISTRATION",
    flag: "--registration",
    schema: Type.Enum(["open", "invite", "closed"]),
    expect: "open, invite or closed",
    parse: asString,
    doc: "who may register: anyone, holders of an invite code, or nobody",
  }),
  rateLimits: option({
    env: "P2_RATE_LIMITS",
    flag: "--rate-limits",
    schema: Type.Boolean(),
    expect: "on or off",
    parse: asSwitch,
    doc: "per-actor rate limits (off only for benchmarks and load tests)",
  }),
  logLevel: option({
    env: "P2_LOG_LEVEL",
    flag: "--log-level",
    schema: Type.Enum(LOG_LEVELS),
    expect: LOG_LEVELS.join(", "),
    parse: asString,
    doc: "pino log level",
  }),
  publicUrl: option({
    env: "P2_PUBLIC_URL",
    flag: "--public-url",
    schema: Type.Optional(Type.String()),
    expect: "an http(s) URL",
    parse: asString,
    refine: (url) => (url !== undefined && isHttpUrl(url) ? undefined : "not an http(s) URL"),
    doc: "base URL clients reach this server at (default http://<host>:<port>)",
  }),
  bodyLimit: option({
    env: "P2_BODY_LIMIT",
    flag: "--body-limit",
    schema: Type.Integer({ minimum: 1 }),
    expect: "a positive number of bytes",
    parse: asInteger,
    doc: "largest JSON request body, in bytes",
  }),
  certValidityDays: option({
    env: "P2_CERT_VALIDITY_DAYS",
    flag: "--cert-validity-days",
    // PROFILE §1: actor certs never live longer than 60 days.
    schema: Type.Integer({ minimum: 1, maximum: 60 }),
    expect: "an integer from 1 to 60",
    parse: asInteger,
    doc: "validity of the actor ID-Certs this server issues, in days",
  }),
  cacheTtlSeconds: option({
    env: "P2_CACHE_TTL_SECONDS",
    flag: "--cache-ttl-seconds",
    // PROFILE §1: CacheableIDCert TTL 6 h by default, configurable 1–12 h.
    schema: Type.Integer({ minimum: 3600, maximum: 43200 }),
    expect: "an integer from 3600 to 43200",
    parse: asInteger,
    doc: "how long CacheableIDCerts this server signs may be cached, in seconds",
  }),
  keyMaterialMaxBytes: option({
    env: "P2_KEY_MATERIAL_MAX_BYTES",
    flag: "--key-material-max-bytes",
    // OpenAPI core v1.0-beta.3: "usually not more than 10kb and can be as low as 800 bytes".
    schema: Type.Integer({ minimum: 800, maximum: 1048576 }),
    expect: "an integer from 800 to 1048576",
    parse: asInteger,
    doc: "largest encrypted private key material element an actor may upload, in bytes",
  }),
  messageMaxChars: option({
    env: "P2_MESSAGE_MAX_CHARS",
    flag: "--message-max-chars",
    // PROFILE §4: message content 4,000 characters (configurable).
    schema: Type.Integer({ minimum: 1, maximum: 20000 }),
    expect: "an integer from 1 to 20000",
    parse: asInteger,
    doc: "longest message content, in characters (Unicode code points)",
  }),
  attachmentMaxBytes: option({
    env: "P2_ATTACHMENT_MAX_BYTES",
    flag: "--attachment-max-bytes",
    // PROFILE §4: attachments 25 MiB (configurable).
    schema: Type.Integer({ minimum: 1, maximum: 1024 * 1024 * 1024 }),
    expect: "an integer from 1 to 1073741824",
    parse: asInteger,
    doc: "largest attachment, in bytes",
  }),
  attachmentTypes: option({
    env: "P2_ATTACHMENT_TYPES",
    flag: "--attachment-types",
    schema: Type.Array(Type.String({ pattern: "^(\\*|[a-z0-9!#$&^_.+-]+/(\\*|[a-z0-9!#$&^_.+-]+))$" }), {
      minItems: 1,
    }),
    expect: "media types separated by commas (type/subtype, type/* or *)",
    parse: (raw) => raw.split(",").map((type) => type.trim().toLowerCase()),
    doc: "media types accepted as attachments",
  }),
} as const;

type OptionName = keyof typeof OPTIONS;

const ConfigSchema = Type.Object(
  Object.fromEntries(Object.entries(OPTIONS).map(([name, spec]) => [name, spec.schema])) as {
    [K in OptionName]: (typeof OPTIONS)[K]["schema"];
  },
);

/** The resolved configuration; `publicUrl` is always set (derived from host and port by default). */
export type Config = Omit<Static<typeof ConfigSchema>, "publicUrl"> & { readonly publicUrl: string };

/** Defaults that run: a server for `localhost` on 127.0.0.1:3000 with SQLite in ./data. */
export const DEFAULTS: Readonly<Omit<Config, "publicUrl" | "databaseUrl" | "redisUrl">> = {
  domain: "localhost",
  host: "127.0.0.1",
  port: 3000,
  dataDir: "./data",
  peers: {},
  registration: "open",
  rateLimits: true,
  logLevel: "info",
  bodyLimit: 1024 * 1024,
  certValidityDays: 30,
  cacheTtlSeconds: 6 * 3600,
  keyMaterialMaxBytes: 10240,
  messageMaxChars: 4000,
  attachmentMaxBytes: 25 * 1024 * 1024,
  attachmentTypes: [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "video/mp4",
    "video/webm",
    "audio/mpeg",
    "audio/ogg",
    "audio/webm",
    "audio/wav",
    "text/plain",
    "application/pdf",
    "application/zip",
    "application/octet-stream",
  ],
};

/** One documentation row per option: variable, flag, default and meaning. */
export function describeOptions(): { env: string; flag: string; default: string; doc: string }[] {
  return Object.entries(OPTIONS).map(([name, spec]) => ({
    env: spec.env,
    flag: spec.flag,
    default: name in DEFAULTS ? JSON.stringify(DEFAULTS[name as keyof typeof DEFAULTS]) : "unset",
    doc: spec.doc,
  }));
}

const FLAGS = new Set<string>(["--config", ...Object.values(OPTIONS).map((spec) => spec.flag)]);

/** Splits argv into `--flag value` / `--flag=value` pairs; anything else is an error. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!FLAGS.has(flag)) throw new ConfigError(`unknown flag ${flag}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new ConfigError(`flag ${flag} needs a value`);
      i++;
    }
    flags.set(flag, value);
  }
  return flags;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in OPTIONS))
      throw new ConfigError(`config file ${path}: unknown option ${JSON.stringify(key)}`);
  }
  return parsed as Record<string, unknown>;
}

function defaultPublicUrl(host: string, port: number): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/**
 * Builds the configuration from command-line arguments (without node and the script) and an
 * environment. Throws `ConfigError` listing every invalid option; never reads `process.*` itself.
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const flags = parseFlags(argv);
  const configPath = flags.get("--config") ?? (env.P2_CONFIG || undefined);
  const file = configPath === undefined ? {} : readConfigFile(configPath);

  const values: Record<string, unknown> = { ...DEFAULTS };
  const sources: Record<string, string> = {};
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const flagValue = flags.get(spec.flag);
    const envValue = env[spec.env];
    if (flagValue !== undefined) {
      values[name] = spec.parse(flagValue);
      sources[name] = `${spec.flag} ${JSON.stringify(flagValue)}`;
    } else if (envValue !== undefined && envValue !== "") {
      values[name] = spec.parse(envValue);
      sources[name] = `${spec.env}=${JSON.stringify(envValue)}`;
    } else if (name in file) {
      values[name] = file[name];
      sources[name] = `${name} in ${configPath}`;
    }
  }

  // Domains are case-insensitive (PROFILE §1): compare and store them lowercased.
  if (typeof values.domain === "string") values.domain = values.domain.toLowerCase();
  if (typeof values.peers === "object" && values.peers !== null && !Array.isArray(values.peers)) {
    values.peers = Object.fromEntries(Object.entries(values.peers).map(([d, url]) => [d.toLowerCase(), url]));
  }

  const problems: string[] = [];
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, Option][]) {
    const value = values[name];
    // Only the options without a default (all optional) can be missing.
    if (value === undefined) continue;
    const complaint = Value.Check(spec.schema, value) ? spec.refine?.(value) : `expected ${spec.expect}`;
    if (complaint) problems.push(`${sources[name] ?? `${name} (default)`}: ${complaint}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);

  const config = values as Static<typeof ConfigSchema>;
  return {
    ...config,
    dataDir: resolve(config.dataDir),
    publicUrl: (config.publicUrl ?? defaultPublicUrl(config.host, config.port)).replace(/\/+$/, ""),
  };
}
