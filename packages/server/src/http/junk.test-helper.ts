/**
 * Junk for the robustness test (`junk.test.ts`): a seeded PRNG, hostile values, and requests built from
 * the server's own OpenAPI document — every route, every path, query and body parameter it declares —
 * so routes added later are covered without touching the test.
 */

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  string(length: number, alphabet: string): string {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** Real values the junk mixes in, so some requests get past the first checks. */
export interface JunkContext {
  /** A live token of the junk actor (never of the actor whose data is checked afterwards). */
  readonly token: string;
  readonly certPem: string;
  readonly csrPem: string;
  readonly serial: string;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const PRINTABLE = `${ALNUM} !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

const hostileCache = new WeakMap<JunkContext, string[]>();

/** Strings that have broken servers before (built once per context). */
function hostileStrings(context: JunkContext): string[] {
  let strings = hostileCache.get(context);
  if (!strings) {
    strings = buildHostileStrings(context);
    hostileCache.set(context, strings);
  }
  return strings;
}

function buildHostileStrings(context: JunkContext): string[] {
  const pem = context.certPem;
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return [
    "",
    " ",
    "a@b@c",
    "a@b@c.test",
    "@a.test",
    "alice@",
    "alice@a.test",
    "ALICE@A.TEST",
    "alice@b.test",
    "mallory@a.test",
    "nobody@a.test",
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "x".repeat(10_000),
    `${"a".repeat(64)}@${"b".repeat(63)}.test`,
    "😀🙃",
    "ünïcödé@exämple.test",
    "alice@xn--exmple-cua.test",
    "\u202ealice@a.test",
    "\u0000",
    "%00",
    "alice%00@a.test",
    "' OR '1'='1",
    "'; DROP TABLE accounts; --",
    '" OR ""="',
    "1; SELECT * FROM session_tokens",
    "<script>alert(1)</script>",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style lookup, meant literally
    "${jndi:ldap://127.0.0.1/x}",
    "{{7*7}}",
    "__proto__",
    "constructor",
    "prototype",
    "-1",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "18446744073709551616",
    "99999999999999999999999999",
    context.serial,
    `${context.serial},${context.serial}`,
    "chat",
    "CHAT",
    "https://chat.b.test",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "laptop",
    "\r\nX-Injected: 1",
    "a/b",
    "?x=1",
    "#fragment",
    "%",
    "%zz",
    "%ff%fe",
    pem,
    context.csrPem,
    pem.slice(0, pem.length >> 1),
    pem.replace(/[A-Za-z]/, "!"),
    `-----BEGIN CERTIFICATE-----\n${body.slice(0, 40)}\n-----END CERTIFICATE-----\n`,
    `-----BEGIN CERTIFICATE-----\n${"A".repeat(4000)}\n-----END CERTIFICATE-----\n`,
    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
    pem.replace("CERTIFICATE", "PRIVATE KEY"),
    body,
    "a".repeat(64),
    "0".repeat(128),
  ];
}

/** A JSON value of any type, often hostile. */
function junkValue(random: Random, hostile: readonly string[], depth = 0): unknown {
  switch (random.int(depth > 2 ? 5 : 8)) {
    case 0:
      return random.pick(hostile);
    case 1:
      return random.pick([0, -1, 1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, 4294967296]);
    case 2:
      return random.chance(0.5);
    case 3:
      return null;
    case 4:
      return random.string(random.int(40), PRINTABLE);
    case 5:
      return Array.from({ length: random.int(4) }, () => junkValue(random, hostile, depth + 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: random.int(4) }, () => [
          random.pick(hostile).slice(0, 40),
          junkValue(random, hostile, depth + 1),
        ]),
      );
    default:
      return random.string(random.int(10_000), ALNUM);
  }
}

type Schema = Record<string, unknown>;

/** Plausible strings by property name, so some bodies are nearly right. */
function plausibleString(
  name: string,
  random: Random,
  context: JunkContext,
  hostile: readonly string[],
): string {
  switch (name) {
    case "csr":
      return context.csrPem;
    case "idCertPem":
      return random.pick([context.certPem, context.csrPem, random.pick(hostile)]);
    case "localName":
      return random.pick(["mallory", "alice", "new-user", random.string(8, "abcdefgh")]);
    case "challenge":
      return random.string(64, ALNUM);
    case "signature":
      return random.string(128, "0123456789abcdef");
    case "url":
      return random.pick(["https://chat.b.test", "http://127.0.0.1:1", "https://x.test/p2/"]);
    case "service":
    case "name":
      return random.pick(["chat", "mls", "voice"]);
    case "key_data":
      return random.pick([context.certPem, random.string(200, ALNUM)]);
    default:
      return random.string(1 + random.int(20), ALNUM);
  }
}

/**
 * A value for `schema` (a JSON Schema from the OpenAPI document): usually the right shape with
 * hostile contents, sometimes the wrong type, extra members, missing required ones.
 */
export function valueFor(
  schema: Schema | undefined,
  random: Random,
  context: JunkContext,
  resolve: (schema: Schema) => Schema,
  name = "",
  depth = 0,
): unknown {
  const hostile = hostileStrings(context);
  if (!schema || depth > 4 || random.chance(0.2)) return junkValue(random, hostile, depth);
  const resolved = resolve(schema);
  const variants = (resolved.anyOf ?? resolved.oneOf) as Schema[] | undefined;
  if (variants) return valueFor(random.pick(variants), random, context, resolve, name, depth);
  switch (resolved.type) {
    case "object": {
      const properties = (resolved.properties ?? {}) as Record<string, Schema>;
      const required = new Set((resolved.required ?? []) as string[]);
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties)) {
        if (required.has(key) ? random.chance(0.9) : random.chance(0.5)) {
          out[key] = valueFor(property, random, context, resolve, key, depth + 1);
        }
      }
      if (random.chance(0.1)) out[random.pick(["extra", "constructor", "$where", "role", "isAdmin"])] = true;
      return out;
    }
    case "array": {
      const length = random.chance(0.05) ? 300 : random.int(4);
      return Array.from({ length }, () =>
        valueFor(resolved.items as Schema, random, context, resolve, name, depth + 1),
      );
    }
    case "string":
      return random.chance(0.5) ? plausibleString(name, random, context, hostile) : random.pick(hostile);
    case "integer":
    case "number":
      return random.pick([0, 1, -1, 5, 100, 2 ** 31, 2 ** 53, 1.5, -0.0001, 1e21]);
    case "boolean":
      return random.chance(0.5);
    default:
      return junkValue(random, hostile, depth);
  }
}

/** An operation of the OpenAPI document, reduced to what the junk needs. */
export interface Operation {
  readonly method: string;
  /** `/.p2/core/v1/idcert/actor/{fid}` */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly { readonly name: string; readonly schema?: Schema }[];
  readonly bodySchema?: Schema;
}

/** Every operation of an OpenAPI 3 document. */
export function operationsOf(document: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!["get", "post", "put", "patch", "delete", "head", "options"].includes(method)) continue;
      const parameters = (operation.parameters ?? []) as { in: string; name: string; schema?: Schema }[];
      const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: parameters
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, schema: p.schema })),
        bodySchema: content ? Object.values(content)[0]?.schema : undefined,
      });
    }
  }
  return operations;
}

/** A request ready for `http.request`: path already encoded, body as bytes. */
export interface JunkRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** What was meant, for failure reports. */
  readonly description: string;
}

const METHODS = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "TRACE",
  "PROPFIND",
  "SEARCH",
  "FOO",
];

/** Paths no operation declares, aimed at the router and static files. */
const STRAY_PATHS = [
  "/",
  "//",
  "/.p2",
  "/.p2/core/v1/",
  "/.p2/core/v1/idcert/actor/",
  "/.p2/core/v1/services/discover/",
  "/.p2/core/v1/services/discover//chat",
  "/%",
  "/%zz",
  "/%00",
  "/.p2/../.p2/core/v1/idcert/server",
  "/.p2/core/v1/idcert/server/../server",
  "/.p2/docs",
  "/.p2/docs/static/../../../package.json",
  "/.p2/docs/static/%2e%2e/%2e%2e/package.json",
  "/.p2/openapi.json",
  "/.p2/core/v1/idcert/actor/alice@a.test/../../server",
  `/${"a/".repeat(2000)}`,
];

/** Encodes a query or path value: usually properly, sometimes raw-ish (percent signs left alone). */
function encode(value: string, random: Random): string {
  if (random.chance(0.1) && /^[\x21-\x7e]*$/.test(value)) return value.replace(/[#?&/]/g, encodeURIComponent);
  return encodeURIComponent(value);
}

/** Header values must be Latin-1 without control characters, or the client refuses to send them. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, 8192);
}

const MALFORMED_JSON = [
  "{",
  "[1,2",
  '{"a":}',
  "{'single':'quotes'}",
  '{"a":1,}',
  "nul",
  "\u0000",
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  `{"a":"${"\\u0000".repeat(1000)}"}`,
  '"\\ud800"',
  "\ufeff{}",
  "1".repeat(5000),
];

const CONTENT_TYPES = [
  "text/plain",
  "application/octet-stream",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "application/xml",
  "text/html",
  "application/json, text/plain",
  "*/*",
  "",
];

/** One junk request against a random operation (or a stray path). */
export function junkRequest(
  operations: readonly Operation[],
  random: Random,
  context: JunkContext,
  resolve: (schema: Schema) => Schema,
): JunkRequest {
  const hostile = hostileStrings(context);
  const stray = random.chance(0.05);
  const operation = random.pick(operations);
  let path = stray ? random.pick(STRAY_PATHS) : operation.path;
  if (!stray) {
    for (const name of operation.pathParams) {
      const value = random.chance(0.15)
        ? plausibleString(name, random, context, hostile)
        : random.pick(hostile);
      path = path.replace(`{${name}}`, encode(value, random));
    }
    const query: string[] = [];
    for (const { name, schema } of operation.queryParams) {
      if (!random.chance(0.6)) continue;
      const repeats = random.chance(0.1) ? 2 + random.int(3) : 1;
      for (let i = 0; i < repeats; i++) {
        const value = valueFor(schema, random, context, resolve, name);
        const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
        query.push(`${encode(name, random)}=${encode(text, random)}`);
      }
    }
    if (random.chance(0.1))
      query.push(
        `${encode(random.pick(hostile).slice(0, 50), random)}=${encode(random.pick(hostile), random)}`,
      );
    if (random.chance(0.03)) query.push("%zz=%zz&&==&a[b]=c&a[__proto__][x]=1");
    if (query.length > 0) path += `?${query.join("&")}`;
  }
  const method = random.chance(0.85) ? operation.method : random.pick(METHODS);

  const headers: Record<string, string> = {};
  const auth = random.next();
  if (auth < 0.4) headers.authorization = `Bearer ${context.token}`;
  else if (auth < 0.5) headers.authorization = `Bearer ${headerSafe(random.pick(hostile))}`;
  else if (auth < 0.55)
    headers.authorization = random.pick(["Basic YWxpY2U6cGFzc3dvcmQ=", "Bearer", "bearer  x y", "Token abc"]);
  else if (auth < 0.58) headers.authorization = `Bearer ${"A".repeat(8000)}`;
  if (random.chance(0.2)) headers["x-p2-sensitive-solution"] = headerSafe(random.pick(hostile));
  if (random.chance(0.1))
    headers.accept = random.pick(["text/html", "application/xml", "*/*", "application/json;q=0"]);
  if (random.chance(0.1))
    headers["accept-encoding"] = random.pick(["gzip", "br", "deflate, gzip;q=0", "identity;q=0"]);
  if (random.chance(0.05)) headers["content-encoding"] = random.pick(["gzip", "deflate", "br", "x-unknown"]);
  if (random.chance(0.05))
    headers["x-forwarded-for"] = random.pick(["127.0.0.1", "::1, 10.0.0.1", "not-an-ip"]);
  if (random.chance(0.05)) headers.origin = random.pick(["https://evil.test", "null"]);
  if (random.chance(0.05)) headers.upgrade = "websocket";
  if (random.chance(0.05)) headers.range = "bytes=0-10";
  if (random.chance(0.05)) headers[`x-${random.string(8, "abcdefgh")}`] = headerSafe(random.pick(hostile));

  let body: Buffer | undefined;
  let kind = "none";
  const shape = random.next();
  if (shape < 0.35) {
    kind = "none";
  } else if (shape < 0.7) {
    kind = "schema JSON";
    const value = valueFor(operation.bodySchema, random, context, resolve);
    let text = JSON.stringify(value) ?? "null";
    if (random.chance(0.03) && text.startsWith("{")) text = `{"__proto__":{"isAdmin":true},${text.slice(1)}`;
    body = Buffer.from(text);
    headers["content-type"] = "application/json";
  } else if (shape < 0.78) {
    kind = "malformed JSON";
    body = Buffer.from(random.pick(MALFORMED_JSON));
    headers["content-type"] = "application/json";
  } else if (shape < 0.86) {
    kind = "random bytes";
    body = random.chance(0.5) ? random.bytes(random.int(2000)) : Buffer.from(random.pick(hostile));
    const type = random.pick(CONTENT_TYPES);
    if (type !== "") headers["content-type"] = type;
  } else if (shape < 0.88) {
    kind = "oversize";
    // Over the 1 MiB body limit: a JSON string, or a PEM-ish text body.
    const size = 1024 * 1024 + 1 + random.int(64 * 1024);
    body = random.chance(0.5) ? Buffer.from(`"${"a".repeat(size)}"`) : Buffer.alloc(size, 0x41);
    headers["content-type"] = random.chance(0.5) ? "application/json" : "text/plain";
  } else {
    kind = "wrong top-level JSON";
    body = Buffer.from(JSON.stringify(junkValue(random, hostile)) ?? "null");
    headers["content-type"] = random.pick([
      "application/json",
      "text/plain",
      "application/json; charset=utf-8",
    ]);
  }
  return {
    method,
    path,
    headers,
    ...(body !== undefined && { body }),
    description: `${method} ${path.slice(0, 200)} [body: ${kind}${body ? `, ${body.length} bytes` : ""}; headers: ${Object.keys(headers).join(", ")}]`,
  };
}

/** Malformed HTTP, written to a raw socket: what Node's parser refuses before Fastify sees it. */
export function rawJunk(random: Random): string {
  const host = "Host: 127.0.0.1\r\n";
  return random.pick([
    "GARBAGE\r\n\r\n",
    `FOO / HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
    `GET / HTTP/9.9\r\n${host}Connection: close\r\n\r\n`,
    `GET /\u0001 HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
    `GET / HTTP/1.1\r\n${host}Bad Header Line\r\nConnection: close\r\n\r\n`,
    `GET / HTTP/1.1\r\n${host}X-Big: ${"a".repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    `POST /.p2/auth/v1/login HTTP/1.1\r\n${host}Content-Length: abc\r\nConnection: close\r\n\r\n`,
    `POST /.p2/auth/v1/login HTTP/1.1\r\n${host}Content-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    `POST /.p2/auth/v1/login HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `POST /.p2/auth/v1/login HTTP/1.1\r\n${host}Content-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}`,
    `GET /.p2/core/v1/idcert/server HTTP/1.1\r\n${host}Connection: close\r\n${"X: y\r\n".repeat(3000)}\r\n`,
    `GET http://evil.test/.p2/core/v1/idcert/server HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
    `GET * HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
    `CONNECT 127.0.0.1:1 HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
    `GET /.p2/core/v1/idcert/server HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n`,
  ]);
}
