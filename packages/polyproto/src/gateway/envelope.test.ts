import assert from "node:assert/strict";
import { test } from "node:test";
import { PolyprotoError } from "../errors.js";
import { readVectorJson } from "../vectors.test-helper.js";
import {
  DEFAULT_MAX_FRAME_BYTES,
  decodeGatewayFrame,
  type GatewayFrame,
  type ParseGatewayFrameOptions,
  parseGatewayFrame,
  serializeGatewayFrame,
  tryParseGatewayFrame,
  withSequence,
} from "./envelope.js";
import { GatewayFrameError } from "./errors.js";
import { clientFrames, serverFrames } from "./frames.js";
import { ChatOp, CoreOp, MlsOp } from "./opcodes.js";

interface SpecExample {
  spec_line: number;
  section: string;
  title: string;
  valid_json: boolean;
  text_verbatim: string;
  parsed?: unknown;
  note?: string;
}
const { examples } = readVectorJson<{ examples: SpecExample[] }>("gateway/spec_examples.json");

interface Shapes {
  polyproto_rs_wire_shapes: {
    payloads: Record<string, unknown>;
    concrete_example_hello: unknown;
    concrete_example_heartbeat_empty: unknown;
  };
}
const shapes = readVectorJson<Shapes>("gateway/opcodes_and_shapes.json").polyproto_rs_wire_shapes;

const parse = (value: unknown, options?: ParseGatewayFrameOptions) =>
  parseGatewayFrame(typeof value === "string" ? value : JSON.stringify(value), options);

function rejects(
  text: unknown,
  code: string,
  closeCode: number,
  options?: ParseGatewayFrameOptions,
): GatewayFrameError {
  let caught: unknown;
  try {
    parse(text, options);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof GatewayFrameError,
    `expected ${code} for ${JSON.stringify(text)}, got ${caught}`,
  );
  assert.ok(caught instanceof PolyprotoError);
  assert.equal(caught.code, code, `${JSON.stringify(text)}: ${caught.message}`);
  assert.equal(caught.closeCode, closeCode, `${JSON.stringify(text)}: ${caught.message}`);
  return caught;
}
const invalidFrame = (text: unknown, options?: ParseGatewayFrameOptions) =>
  rejects(text, "P2CORE_GATEWAY_INVALID_FRAME", 4002, options);
const invalidPayload = (text: unknown, options?: ParseGatewayFrameOptions) =>
  rejects(text, "P2CORE_GATEWAY_INVALID_PAYLOAD", 4002, options);
const unknownOp = (text: unknown, options?: ParseGatewayFrameOptions) =>
  rejects(text, "P2CORE_GATEWAY_UNKNOWN_OPCODE", 4001, options);

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBIjANB...";
const SIG = "8eacd92192bacc57bb5df3c7922e93bbc8b3f683f5dec9224353b102fa2f2a75";

/**
 * The verdict for every example of spec_examples.json, keyed by spec line. `frame` is what we decode
 * it to; `reject` the error code. Notes say why where we depart from the example.
 */
const SPEC_VERDICTS: Record<
  number,
  { frame: GatewayFrame } | { reject: string; closeCode: number; why: string }
> = {
  // §3.1: the .well-known body, not a gateway frame.
  107: { reject: "P2CORE_GATEWAY_INVALID_FRAME", closeCode: 4002, why: "no n/op: not an envelope" },
  // snake_case heartbeat_interval (spec prose) is accepted and emitted as heartbeatInterval.
  261: { frame: { n: "core", op: 1, d: { heartbeatInterval: 45000 }, s: 0 } },
  285: { frame: { n: "core", op: 2, d: { token: "a9144379a161e1fcf6b07801b70db6d6c481..." } } },
  320: { frame: { n: "core", op: 8, d: { action: "subscribe", service: "service_name" } } },
  344: {
    frame: {
      n: "core",
      op: 9,
      d: { action: "subscribe", service: "service_name", success: false, error: "Service not found" },
      s: 1,
    },
  },
  362: {
    frame: { n: "core", op: 9, d: { action: "subscribe", service: "service_name", success: true }, s: 1 },
  },
  396: { frame: { n: "core", op: 3, d: { cert: PEM }, s: 1 } },
  // The old serial/invalidSince/signature shape: PROFILE §5 makes op 4 a flattened CacheableIDCert.
  422: { reject: "P2CORE_GATEWAY_INVALID_PAYLOAD", closeCode: 4002, why: "old op 4 shape, no idCertPem" },
  451: { frame: { n: "core", op: 5, d: { s: 12, token: "aDHsdfghihn2n0c634tnlxibnd2tz09y8m7kbxti7rg" } } },
  471: { reject: "P2CORE_GATEWAY_NOT_JSON", closeCode: 4002, why: "invalid JSON in the spec (Resumed)" },
  549: { frame: { n: "core", op: 6, d: { cert: PEM, oldInvalidSince: 1630012713 }, s: 1 } },
  // The bare minified number list: a Heartbeat d, not a frame (heartbeat.test.ts decodes it).
  592: { reject: "P2CORE_GATEWAY_INVALID_FRAME", closeCode: 4002, why: "a heartbeat d, not an envelope" },
  610: { reject: "P2CORE_GATEWAY_NOT_JSON", closeCode: 4002, why: "invalid JSON in the spec (Heartbeat)" },
  629: {
    reject: "P2CORE_GATEWAY_NOT_JSON",
    closeCode: 4002,
    why: "invalid JSON in the spec (Heartbeat ACK)",
  },
  // The Heartbeat Request example says op 7. Op 7 is Heartbeat ACK in the table, and its d "may be
  // empty", so we read this as an empty ACK — not a request. We send Heartbeat Request as op 11, as
  // the table, PROFILE §5 and polyproto-rs do.
  681: { frame: { n: "core", op: 7, d: [], s: 1 } },
};

test("spec examples: every one gets its verdict (15 examples, 3 not JSON)", () => {
  assert.equal(examples.length, 15);
  assert.equal(examples.filter((e) => !e.valid_json).length, 3);
  for (const example of examples) {
    const verdict = SPEC_VERDICTS[example.spec_line];
    assert.ok(verdict, `no verdict for spec line ${example.spec_line} (${example.title})`);
    const label = `${example.section} / ${example.title}`;
    if ("frame" in verdict) {
      assert.ok(example.valid_json, label);
      assert.deepEqual(parseGatewayFrame(example.text_verbatim), verdict.frame, label);
    } else {
      if (verdict.reject === "P2CORE_GATEWAY_NOT_JSON") assert.equal(example.valid_json, false, label);
      rejects(example.text_verbatim, verdict.reject, verdict.closeCode);
    }
  }
});

test("spec examples: the heartbeat-request example is an empty ACK; op 11 is the request", () => {
  const example = examples.find((e) => e.spec_line === 681)!;
  const frame = parseGatewayFrame(example.text_verbatim);
  assert.equal(frame.op, CoreOp.HeartbeatAck);
  assert.deepEqual(serverFrames.heartbeatRequest(), { n: "core", op: 11, d: {} });
  assert.equal(
    serializeGatewayFrame(withSequence(serverFrames.heartbeatRequest(), 1)),
    '{"n":"core","op":11,"d":{},"s":1}',
  );
});

test("spec examples: the heartbeat example with its missing comma restored; the client's s is ignored", () => {
  const example = examples.find((e) => e.spec_line === 610)!;
  const fixed = example.text_verbatim.replace('"219"\n', '"219",\n');
  assert.deepEqual(parseGatewayFrame(fixed, { sender: "client" }), {
    n: "core",
    op: 0,
    d: { from: "213", to: "219", except: ["214", "216"] },
  });
});

test("spec examples: the Resumed and ACK examples as intended (d an array of whole events)", () => {
  const events = [
    { n: "core", op: 6, d: { cert: PEM, oldInvalidSince: 1630012713 }, s: 3 },
    { n: "core", op: 9, d: { action: "subscribe", service: "chat", success: true }, s: 4 },
  ];
  assert.deepEqual(parse({ n: "core", op: 10, d: events, s: 5 }), { n: "core", op: 10, d: events, s: 5 });
  assert.deepEqual(parse({ n: "core", op: 7, d: events, s: 5 }), { n: "core", op: 7, d: events, s: 5 });
});

test("core §3.2.3.5's example (invalidAt, signature) is read as the CacheableIDCert fields", () => {
  const frame = parse({
    n: "core",
    op: 4,
    d: {
      idCertPem: "---------BEGIN...",
      invalidAt: "1737379403",
      cacheNotValidBefore: "29387456",
      cacheNotValidAfter: "293689276",
      signature: SIG,
    },
    s: 1,
  });
  assert.deepEqual(frame.d, {
    idCertPem: "---------BEGIN...",
    cacheNotValidBefore: 29387456,
    cacheNotValidAfter: 293689276,
    cacheSignature: SIG,
    invalidatedAt: 1737379403,
  });
});

/** A concrete instance of each polyproto-rs payload shape, with placeholders filled in. */
const RS_PAYLOADS: Record<string, unknown> = {
  "0 Heartbeat": { from: "0", to: "9", except: ["3", "4"] },
  "1 Hello": { heartbeatInterval: "12345", activeMigration: { from: "a@example.com", to: "b@example.org" } },
  "2 Identify": { token: "meow" },
  "3 NewSession": { cert: PEM },
  "4 ActorCertificateInvalidation": {
    idCertPem: PEM,
    invalidatedAt: 1737379403,
    cacheNotValidBefore: 12,
    cacheNotValidAfter: 24,
    cacheSignature: SIG,
  },
  "5 Resume": { s: "43", token: "sdjkfsdfhjkhjksdf" },
  "6 ServerCertificateChange": { cert: PEM, oldInvalidSince: "1234" },
  "7 HeartbeatAck": [],
  "8 ServiceChannel": { action: "subscribe", service: "chat" },
  "9 ServiceChannelAck": { action: "subscribe", service: "chat", success: true, error: null },
  "10 Resumed": [],
  "11 RequestHeartbeat": {},
};

test("polyproto-rs: every emitted shape parses (op and s as strings)", () => {
  const keys = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v).sort() : []);
  assert.deepEqual(Object.keys(RS_PAYLOADS).sort(), Object.keys(shapes.payloads).sort());
  for (const [name, d] of Object.entries(RS_PAYLOADS)) {
    // Same fields as the vector's shape, only the placeholders made concrete.
    assert.deepEqual(keys(d), keys(shapes.payloads[name]), name);
    const op = name.split(" ")[0]!;
    const frame = parse({ n: "core", op, d, s: "17" });
    assert.equal(frame.op, Number(op), name);
    assert.equal(frame.s, 17, name);
  }
  assert.deepEqual(parse(shapes.concrete_example_hello), {
    n: "core",
    op: 1,
    d: { heartbeatInterval: 12345 },
  });
  assert.deepEqual(parse(shapes.concrete_example_heartbeat_empty), {
    n: "core",
    op: 0,
    d: { from: "0", to: "0" },
  });
});

test("polyproto-rs: normalised to what we emit (numbers, camelCase, no null error)", () => {
  const cases: [unknown, string][] = [
    [
      { n: "core", op: "1", d: { heartbeatInterval: "12345" }, s: "0" },
      '{"n":"core","op":1,"d":{"heartbeatInterval":12345},"s":0}',
    ],
    [{ n: "core", op: "5", d: { s: "43", token: "t" } }, '{"n":"core","op":5,"d":{"s":43,"token":"t"}}'],
    [
      { n: "core", op: "6", d: { cert: "c", oldInvalidSince: "1234" }, s: "2" },
      '{"n":"core","op":6,"d":{"cert":"c","oldInvalidSince":1234},"s":2}',
    ],
    [
      { n: "core", op: "9", d: { action: "subscribe", service: "chat", success: true, error: null }, s: "3" },
      '{"n":"core","op":9,"d":{"action":"subscribe","service":"chat","success":true},"s":3}',
    ],
  ];
  for (const [input, output] of cases) assert.equal(serializeGatewayFrame(parse(input)), output);
});

test("polyproto-rs: bare payloads inside Heartbeat ACK / Resumed are refused (no n/op to read them by)", () => {
  invalidFrame({ n: "core", op: "7", d: [{ cert: PEM, oldInvalidSince: "1" }] });
  invalidFrame({ n: "core", op: "10", d: [{ action: "subscribe", service: "chat" }] });
});

test("rejects: not JSON", () => {
  for (const text of ["", "{", "nope", "{'n':'core'}", '{"n":"core",}', "undefined", "\u0000"]) {
    const error = rejects(text, "P2CORE_GATEWAY_NOT_JSON", 4002);
    assert.match(error.message, /not JSON/);
  }
});

test("rejects: JSON that is not an object", () => {
  for (const text of ["[]", '[{"n":"core","op":2,"d":{"token":"t"}}]', "null", "1", '"core"', "true"]) {
    invalidFrame(text);
  }
});

test("rejects: n missing, of the wrong type or not a namespace name", () => {
  for (const n of [undefined, null, 1, "", "c", "Core", "co re", "x".repeat(65), ["core"]]) {
    invalidFrame({ n, op: 2, d: { token: "t" } });
  }
});

test("rejects: op missing or not a uint16 (4002)", () => {
  for (const op of [
    undefined,
    null,
    -1,
    1.5,
    65536,
    1e20,
    "-1",
    "1.0",
    "01",
    " 1",
    "+1",
    "0x1",
    "1e0",
    "",
    true,
    [1],
    {},
  ]) {
    invalidFrame({ n: "core", op, d: { token: "t" } });
  }
});

test("rejects: ops a namespace does not define (4001), unknown namespaces included", () => {
  unknownOp({ n: "core", op: 13, d: {} });
  unknownOp({ n: "core", op: 65535, d: {} });
  unknownOp({ n: "core", op: "13", d: {} });
  unknownOp({ n: "chat", op: 21, d: {} });
  unknownOp({ n: "mls", op: 7, d: {} });
  unknownOp({ n: "voice", op: 0, d: {} });
});

test("rejects: s negative, fractional, too large or of the wrong type (4002)", () => {
  const frame = (s: unknown) => ({ n: "core", op: 3, d: { cert: PEM }, s });
  for (const s of [
    -1,
    1.5,
    2 ** 53,
    1e20,
    "18446744073709551615",
    "9007199254740992",
    "-1",
    "01",
    "1.5",
    "",
    true,
    [1],
    {},
  ]) {
    invalidFrame(frame(s));
  }
  assert.equal(parse(frame(Number.MAX_SAFE_INTEGER)).s, Number.MAX_SAFE_INTEGER);
  assert.equal(parse(frame("9007199254740991")).s, Number.MAX_SAFE_INTEGER);
  assert.equal(parse(frame(0)).s, 0);
  assert.equal(Object.hasOwn(parse(frame(null)), "s"), false);
  assert.equal(Object.hasOwn(parse(frame(undefined)), "s"), false);
  // -0 reads as 0, 1.0 as 1: JSON does not tell them apart.
  assert.equal(Object.is(parseGatewayFrame('{"n":"core","op":3,"d":{"cert":"c"},"s":-0}').s, 0), true);
  assert.equal(parseGatewayFrame('{"n":"core","op":1.0,"d":{"heartbeatInterval":1}}').op, 1);
});

test("rejects: frames over maxBytes, counted in UTF-8 bytes (4002)", () => {
  const frame = (token: string) => JSON.stringify({ n: "core", op: 2, d: { token } });
  const base = frame("").length;
  const exact = frame("x".repeat(100 - base));
  assert.equal(exact.length, 100);
  assert.ok(parseGatewayFrame(exact, { maxBytes: 100 }));
  rejects(frame("x".repeat(101 - base)), "P2CORE_GATEWAY_FRAME_TOO_LARGE", 4002, { maxBytes: 100 });
  // "é" is 2 bytes, "😀" 4: 100 bytes of text may be far fewer characters.
  const twoByte = frame("é".repeat((100 - base) / 2 + 1));
  assert.ok(twoByte.length <= 100);
  rejects(twoByte, "P2CORE_GATEWAY_FRAME_TOO_LARGE", 4002, { maxBytes: 100 });
  const fourByte = frame("😀".repeat(Math.floor((100 - base) / 4)));
  assert.ok(parseGatewayFrame(fourByte, { maxBytes: 100 }));
  rejects(
    fourByte + " ".repeat(100 - base - 4 * Math.floor((100 - base) / 4) + 1),
    "P2CORE_GATEWAY_FRAME_TOO_LARGE",
    4002,
    {
      maxBytes: 100,
    },
  );
  // The default is 1 MiB; a too-large frame is refused before JSON parsing.
  rejects("x".repeat(DEFAULT_MAX_FRAME_BYTES + 1), "P2CORE_GATEWAY_FRAME_TOO_LARGE", 4002);
  rejects("x".repeat(DEFAULT_MAX_FRAME_BYTES), "P2CORE_GATEWAY_NOT_JSON", 4002);
});

test("rejects: d missing (except Heartbeat Request)", () => {
  for (const op of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]) invalidFrame({ n: "core", op });
  invalidFrame({ n: "chat", op: 0 });
  assert.deepEqual(parse({ n: "core", op: 11 }), { n: "core", op: 11, d: {} });
  assert.deepEqual(parse({ n: "core", op: 11, d: null }), { n: "core", op: 11, d: {} });
  invalidPayload({ n: "core", op: 11, d: 5 });
});

test("rejects: wrong d types, per op (4002)", () => {
  const bad: [number, unknown][] = [
    [0, []],
    [0, { from: 1, to: 2 }],
    [1, {}],
    [1, { heartbeatInterval: 0 }],
    [1, { heartbeatInterval: -1 }],
    [1, { heartbeatInterval: 2 ** 32 }],
    [1, { heartbeatInterval: "abc" }],
    [1, { heartbeatInterval: 1.5 }],
    [1, { heartbeatInterval: 45000, heartbeat_interval: 30000 }],
    [1, { heartbeatInterval: 45000, activeMigration: { from: "not a fid", to: "b@example.org" } }],
    [1, { heartbeatInterval: 45000, activeMigration: "a@example.com" }],
    [2, { token: "" }],
    [2, { token: 5 }],
    [2, {}],
    [2, "token"],
    [3, { cert: "" }],
    [3, {}],
    [4, { idCertPem: PEM, cacheNotValidBefore: 1, cacheNotValidAfter: 2, cacheSignature: SIG.toUpperCase() }],
    [4, { idCertPem: PEM, cacheNotValidBefore: 1, cacheNotValidAfter: 2, cacheSignature: "abc" }],
    [4, { idCertPem: PEM, cacheNotValidBefore: -1, cacheNotValidAfter: 2, cacheSignature: SIG }],
    [4, { idCertPem: PEM, cacheNotValidAfter: 2, cacheSignature: SIG }],
    [
      4,
      {
        idCertPem: PEM,
        cacheNotValidBefore: 1,
        cacheNotValidAfter: 2,
        cacheSignature: SIG,
        invalidatedAt: "x",
      },
    ],
    [
      4,
      { idCertPem: PEM, cacheNotValidBefore: 1, cacheNotValidAfter: 2, cacheSignature: SIG, signature: "00" },
    ],
    [5, { s: -1, token: "t" }],
    [5, { s: "1.5", token: "t" }],
    [5, { s: 1 }],
    [6, { cert: PEM }],
    [6, { cert: PEM, oldInvalidSince: "yesterday" }],
    [7, { events: [] }],
    [7, "[]"],
    [8, { action: "join", service: "chat" }],
    [8, { action: "subscribe", service: "X!" }],
    [8, { action: "subscribe", service: "c" }],
    [8, { action: "subscribe" }],
    [9, { action: "subscribe", service: "chat", success: "yes" }],
    [9, { action: "subscribe", service: "chat", success: false, error: 404 }],
    [10, {}],
    [10, null],
    [12, { fid: "alice", sessionId: "s1", services: [] }],
    [12, { fid: "alice@example.chat", sessionId: "s 1", services: [] }],
    [12, { fid: "alice@example.chat", sessionId: "x".repeat(33), services: [] }],
    [12, { fid: "alice@example.chat", sessionId: "s1", services: "chat" }],
    [12, { fid: "alice@example.chat", sessionId: "s1", services: ["chat", "MLS"] }],
  ];
  for (const [op, d] of bad) invalidPayload({ n: "core", op, d });
});

test("invalid heartbeat sequence numbers inside a frame close with 4007", () => {
  rejects({ n: "core", op: 0, d: { from: "5", to: "4" } }, "P2CORE_GATEWAY_INVALID_SEQUENCE", 4007);
  rejects(
    { n: "core", op: 0, d: { from: "1", to: "9", except: ["10"] } },
    "P2CORE_GATEWAY_INVALID_SEQUENCE",
    4007,
  );
  rejects(
    { n: "core", op: 0, d: { from: "0", to: "9", except: ["1", "2"] } },
    "P2CORE_GATEWAY_INVALID_SEQUENCE",
    4007,
    {
      heartbeatLimits: { maxExcept: 1, maxSpan: 100 },
    },
  );
});

test("accepts: tolerated variants, normalised", () => {
  assert.deepEqual(
    parse({ n: "core", op: 1, d: { heartbeat_interval: "45000", active_migration: null } }).d,
    {
      heartbeatInterval: 45000,
    },
  );
  assert.deepEqual(
    parse({
      n: "core",
      op: 1,
      d: {
        heartbeatInterval: 45000,
        heartbeat_interval: 45000,
        activeMigration: { from: "A@Old.Example", to: "b@new.example" },
      },
    }).d,
    { heartbeatInterval: 45000, activeMigration: { from: "a@old.example", to: "b@new.example" } },
  );
  // Identify may grow backwards-compatibly: unknown keys are dropped, not refused.
  assert.deepEqual(parse({ n: "core", op: 2, d: { token: "t", client: "x" } }).d, { token: "t" });
  // An error beside success: true is dropped; success: false without error is fine.
  assert.deepEqual(
    parse({ n: "core", op: 9, d: { action: "unsubscribe", service: "mls", success: true, error: "x" } }).d,
    {
      action: "unsubscribe",
      service: "mls",
      success: true,
    },
  );
  assert.deepEqual(
    parse({ n: "core", op: 9, d: { action: "subscribe", service: "mls", success: false } }).d,
    {
      action: "subscribe",
      service: "mls",
      success: false,
    },
  );
  assert.deepEqual(
    parse({ n: "core", op: 12, d: { fid: "Alice@Example.Chat", sessionId: "s1", services: ["chat", "mls"] } })
      .d,
    {
      fid: "alice@example.chat",
      sessionId: "s1",
      services: ["chat", "mls"],
    },
  );
  // A heartbeat's except is sorted and dropped when empty.
  assert.deepEqual(parse({ n: "core", op: 0, d: { from: "1", to: "9", except: ["7", "2"] } }).d, {
    from: "1",
    to: "9",
    except: ["2", "7"],
  });
  assert.deepEqual(parse({ n: "core", op: 0, d: { from: "1", to: "9", except: [] } }).d, {
    from: "1",
    to: "9",
  });
  // chat and mls d are the extensions' business: any JSON value.
  assert.deepEqual(parse({ n: "chat", op: "0", d: { id: "01J" }, s: "9" }), {
    n: "chat",
    op: 0,
    d: { id: "01J" },
    s: 9,
  });
  assert.deepEqual(parse({ n: "mls", op: 6, d: null, s: 1 }), { n: "mls", op: 6, d: null, s: 1 });
});

test("replayed events: whole server events with s, never nested ACK/Resumed, never client ops", () => {
  const ok = { n: "chat", op: 0, d: { id: "m" }, s: 4 };
  assert.deepEqual(parse({ n: "core", op: 10, d: [ok], s: 5 }).d, [ok]);
  assert.deepEqual(parse({ n: "core", op: 7, d: {}, s: 5 }).d, []);
  invalidPayload({ n: "core", op: 10, d: [{ n: "chat", op: 0, d: {} }] });
  invalidPayload({ n: "core", op: 7, d: [{ n: "core", op: 7, d: [], s: 1 }] });
  invalidPayload({ n: "core", op: 10, d: [{ n: "core", op: 10, d: [], s: 1 }] });
  invalidPayload({ n: "core", op: 7, d: [{ n: "core", op: 10, d: [], s: 1 }] });
  unknownOp({ n: "core", op: 10, d: [{ n: "core", op: 2, d: { token: "t" }, s: 1 }] });
  unknownOp({ n: "core", op: 10, d: [{ n: "chat", op: 99, d: {}, s: 1 }] });
  invalidFrame({ n: "core", op: 10, d: [{ n: "chat", op: 0, d: {}, s: -1 }] });
  invalidPayload({ n: "core", op: 10, d: [{ n: "core", op: 3, d: {}, s: 1 }] });
  // Inner frames are normalised like outer ones.
  assert.deepEqual(
    parse({ n: "core", op: 10, d: [{ n: "core", op: "6", d: { cert: "c", oldInvalidSince: "5" }, s: "2" }] })
      .d,
    [{ n: "core", op: 6, d: { cert: "c", oldInvalidSince: 5 }, s: 2 }],
  );
});

test("sender: client — only ops 0, 2, 4, 5, 8 of core; s ignored", () => {
  const client = { sender: "client" } as const;
  for (const op of [1, 3, 6, 7, 9, 10, 11, 12]) unknownOp({ n: "core", op, d: {} }, client);
  unknownOp({ n: "chat", op: 0, d: {} }, client);
  unknownOp({ n: "mls", op: 0, d: {} }, client);
  assert.deepEqual(parse({ n: "core", op: 0, d: {}, s: "garbage" }, client), { n: "core", op: 0, d: {} });
  assert.deepEqual(parse({ n: "core", op: 2, d: { token: "t" }, s: 3 }, client), {
    n: "core",
    op: 2,
    d: { token: "t" },
  });
  assert.equal(parse({ n: "core", op: 5, d: { s: 1, token: "t" } }, client).op, 5);
  assert.equal(parse({ n: "core", op: 8, d: { action: "subscribe", service: "chat" } }, client).op, 8);
});

test("sender: server — ops 0, 2, 5 of core are not a server's; chat and mls are", () => {
  const server = { sender: "server" } as const;
  for (const op of [0, 2, 5]) unknownOp({ n: "core", op, d: {} }, server);
  assert.equal(parse({ n: "chat", op: ChatOp.TypingStart, d: {}, s: 1 }, server).n, "chat");
  assert.equal(parse({ n: "mls", op: MlsOp.Welcome, d: {}, s: 1 }, server).n, "mls");
  assert.equal(
    parse({ n: "core", op: 12, d: { fid: "a@b.c", sessionId: "s", services: [] } }, server).op,
    12,
  );
});

test("tryParseGatewayFrame: a result instead of an exception", () => {
  const good = tryParseGatewayFrame('{"n":"core","op":11,"d":{}}');
  assert.deepEqual(good, { ok: true, frame: { n: "core", op: 11, d: {} } });
  const bad = tryParseGatewayFrame('{"n":"core","op":99,"d":{}}');
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.error.closeCode === 4001 && bad.error.code === "P2CORE_GATEWAY_UNKNOWN_OPCODE");
});

test("decodeGatewayFrame: the same rules on an already-parsed value", () => {
  assert.deepEqual(decodeGatewayFrame({ n: "core", op: "3", d: { cert: "c" }, s: "1" }), {
    n: "core",
    op: 3,
    d: { cert: "c" },
    s: 1,
  });
  assert.throws(() => decodeGatewayFrame([]), GatewayFrameError);
});

/** Every builder, stamped with a sequence number where the server sends it. */
function everyFrame(): GatewayFrame[] {
  const cacheable = {
    idCertPem: PEM,
    cacheNotValidBefore: 1737370000,
    cacheNotValidAfter: 1737390000,
    cacheSignature: SIG,
    invalidatedAt: 1737379403,
  };
  const replay = [
    withSequence(serverFrames.newSession(PEM), 2),
    withSequence(serverFrames.chat(ChatOp.MessageCreate, { id: "01J", content: "hi" }), 3),
    withSequence(serverFrames.mls(MlsOp.Commit, { groupId: "g" }), 4),
  ];
  return [
    clientFrames.heartbeat({}),
    clientFrames.heartbeat({ from: "213", to: "219", except: ["214", "216"] }),
    clientFrames.identify("a9144379a161e1fcf6b07801b70db6d6c481"),
    clientFrames.resume(12, "token"),
    clientFrames.serviceChannel("subscribe", "chat"),
    clientFrames.serviceChannel("unsubscribe", "mls"),
    clientFrames.actorCertificateInvalidation(cacheable),
    withSequence(serverFrames.hello(45000), 0),
    withSequence(
      serverFrames.hello(45000, { from: "xenia@old.example.com", to: "xenia@new.example.com" }),
      0,
    ),
    withSequence(
      serverFrames.ready({ fid: "alice@example.chat", sessionId: "s1", services: ["chat", "mls"] }),
      1,
    ),
    withSequence(serverFrames.newSession(PEM), 2),
    withSequence(serverFrames.actorCertificateInvalidation(cacheable), 3),
    withSequence(serverFrames.serverCertificateChange(PEM, 1630012713), 4),
    withSequence(serverFrames.heartbeatAck(), 5),
    withSequence(serverFrames.heartbeatAck(replay), 6),
    withSequence(serverFrames.serviceChannel("unsubscribe", "chat"), 7),
    withSequence(serverFrames.serviceChannelAck({ action: "subscribe", service: "chat", success: true }), 8),
    withSequence(
      serverFrames.serviceChannelAck({
        action: "subscribe",
        service: "voice",
        success: false,
        error: "Service not found",
      }),
      9,
    ),
    withSequence(serverFrames.resumed(replay), 10),
    withSequence(serverFrames.heartbeatRequest(), 11),
    withSequence(serverFrames.chat(ChatOp.DmMessageCreate, { id: "01K" }), Number.MAX_SAFE_INTEGER),
    withSequence(serverFrames.mls(MlsOp.MemberJoined, {}), 12),
  ];
}

test("round trip: serialize → parse gives back every built frame; op and s are numbers", () => {
  for (const frame of everyFrame()) {
    const text = serializeGatewayFrame(frame);
    assert.deepEqual(parseGatewayFrame(text), frame, text);
    assert.equal(serializeGatewayFrame(parseGatewayFrame(text)), text);
    const raw = JSON.parse(text);
    assert.deepEqual(Object.keys(raw), frame.s === undefined ? ["n", "op", "d"] : ["n", "op", "d", "s"]);
    assert.equal(typeof raw.op, "number");
    if (frame.s !== undefined) assert.equal(typeof raw.s, "number");
  }
});

test("round trip: each side parses what the other builds", () => {
  for (const frame of everyFrame()) {
    const text = serializeGatewayFrame(frame);
    const fromClient = frame.s === undefined;
    const receiver = { sender: fromClient ? "client" : "server" } as const;
    assert.deepEqual(parseGatewayFrame(text, receiver), frame, text);
  }
});

test("serialize: the exact wire text", () => {
  assert.equal(
    serializeGatewayFrame(withSequence(serverFrames.hello(45000), 0)),
    '{"n":"core","op":1,"d":{"heartbeatInterval":45000},"s":0}',
  );
  assert.equal(
    serializeGatewayFrame(clientFrames.heartbeat({ from: "213", to: "219", except: ["216", "214"] })),
    '{"n":"core","op":0,"d":{"from":"213","to":"219","except":["214","216"]}}',
  );
  assert.equal(serializeGatewayFrame(clientFrames.heartbeat({})), '{"n":"core","op":0,"d":{}}');
  assert.equal(
    serializeGatewayFrame(
      withSequence(serverFrames.ready({ fid: "alice@example.chat", sessionId: "s1", services: ["chat"] }), 1),
    ),
    '{"n":"core","op":12,"d":{"fid":"alice@example.chat","sessionId":"s1","services":["chat"]},"s":1}',
  );
});

test("serialize and builders refuse what a receiver would refuse", () => {
  const frame = (f: unknown) => f as GatewayFrame;
  assert.throws(() => serializeGatewayFrame(frame({ n: "core", op: 13, d: {} })), GatewayFrameError);
  assert.throws(() => serializeGatewayFrame(frame({ n: "voice", op: 0, d: {} })), GatewayFrameError);
  assert.throws(
    () => serializeGatewayFrame(frame({ n: "core", op: 3, d: { cert: "c" }, s: -1 })),
    GatewayFrameError,
  );
  assert.throws(
    () => serializeGatewayFrame(frame({ n: "core", op: 3, d: { cert: "c" }, s: 1.5 })),
    GatewayFrameError,
  );
  assert.throws(() => serializeGatewayFrame(frame({ n: "core", op: 3 })), GatewayFrameError);
  assert.throws(() => withSequence(serverFrames.heartbeatRequest(), -1), GatewayFrameError);
  assert.throws(() => withSequence(serverFrames.heartbeatRequest(), 2 ** 53), GatewayFrameError);
  assert.throws(() => serverFrames.hello(0), GatewayFrameError);
  assert.throws(() => serverFrames.hello(2 ** 32), GatewayFrameError);
  assert.throws(() => serverFrames.ready({ fid: "nope", sessionId: "s1", services: [] }), GatewayFrameError);
  assert.throws(
    () => serverFrames.serviceChannelAck({ action: "subscribe", service: "X", success: true }),
    GatewayFrameError,
  );
  assert.throws(() => serverFrames.chat(99 as ChatOp, {}), GatewayFrameError);
  assert.throws(() => serverFrames.chat(ChatOp.MessageCreate, undefined), GatewayFrameError);
  assert.throws(() => serverFrames.mls(7 as MlsOp, {}), GatewayFrameError);
  assert.throws(() => clientFrames.identify(""), GatewayFrameError);
  assert.throws(() => clientFrames.resume(-1, "t"), GatewayFrameError);
  assert.throws(() => clientFrames.heartbeat({ from: "2", to: "1" }), GatewayFrameError);
  // Replayed events need their s and cannot nest.
  const unsequenced = serverFrames.newSession(PEM) as never;
  assert.throws(() => serverFrames.resumed([unsequenced]), GatewayFrameError);
  const nested = withSequence(serverFrames.heartbeatAck(), 1) as never;
  assert.throws(() => serverFrames.heartbeatAck([nested]), GatewayFrameError);
  // An error beside success: true is not emitted.
  assert.deepEqual(
    serverFrames.serviceChannelAck({ action: "subscribe", service: "chat", success: true, error: "x" }).d,
    {
      action: "subscribe",
      service: "chat",
      success: true,
    },
  );
});
