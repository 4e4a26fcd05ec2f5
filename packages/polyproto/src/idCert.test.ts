import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Extension,
  Extensions,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { concatBytes, fromHex, toHex } from "./bytes.js";
import { PolyprotoError } from "./errors.js";
import {
  type BasicConstraintsValue,
  type IdCert,
  type KeyUsageName,
  MAX_ISSUED_SERIAL,
  type ValidateIdCertOptions,
  basicConstraintsFromDer,
  basicConstraintsToDer,
  createRootCert,
  issueIdCert,
  keyUsageFromDer,
  keyUsageToDer,
  parseIdCert,
  validateIdCert,
  validateRootCert,
} from "./idCert.js";
import { createIdCsr, parseIdCsr } from "./idCsr.js";
import { ED25519_OID, PublicKey, SigningKey } from "./keys.js";
import {
  COMMON_NAME_OID,
  DOMAIN_COMPONENT_OID,
  UNIQUE_IDENTIFIER_OID,
  USER_ID_OID,
  actorPdn,
  homeServerPdn,
  pdnToName,
} from "./pdn.js";
import { readVector, readVectorJson, vectorPath } from "./vectors.test-helper.js";

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date("2026-03-01T00:00:00Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY);

const dir = mkdtempSync(join(tmpdir(), "p2-idcert-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): { ok: boolean; out: string } {
  const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  return { ok: result.status === 0, out: result.stdout + result.stderr };
}

const rejectsWith = (expected: string, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof PolyprotoError, String(error));
  assert.equal(error.code, expected, error.message);
  assert.match(error.message, message);
  return true;
};
const invalidCert = (message: RegExp) => rejectsWith("P2CORE_INVALID_CERT", message);

const rootKey = await SigningKey.generate();
const actorKey = await SigningKey.generate();
const root = await createRootCert({ signingKey: rootKey, domain: "example.chat", notBefore: T0 });
const csr = await parseIdCsr(
  (await createIdCsr({ signingKey: actorKey, fid: "alice@example.chat", sessionId: "s1" })).pem,
);

// ---------------------------------------------------------------------------------------------
// A forger for the certs our issuer never makes: every field can be overridden; defaults give a
// valid actor cert of alice@example.chat/s1 under `root`, valid from day 1 to day 31.
// ---------------------------------------------------------------------------------------------

const rdn = (type: string, value: Partial<AttributeValue>) =>
  new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue(value) })]);
const ext = (oid: string, value: Uint8Array, critical = true) =>
  new Extension({ extnID: oid, critical, extnValue: new OctetString(value) });
const kuExt = (usages: KeyUsageName[], critical = true) => ext("2.5.29.15", keyUsageToDer(usages), critical);
const bcExt = (value: BasicConstraintsValue, critical = true) =>
  ext("2.5.29.19", basicConstraintsToDer(value), critical);

interface Forge {
  signer?: SigningKey;
  serial?: string; // hex of the INTEGER content
  version?: Version;
  algorithm?: string;
  tbsAlgorithm?: string;
  issuer?: Name;
  subject?: Name;
  publicKey?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  extensions?: Extension[] | null;
}

async function forge(o: Forge = {}): Promise<Uint8Array> {
  const tbs = new TBSCertificate({
    version: o.version ?? Version.v3,
    serialNumber: fromHex(o.serial ?? "0102")!.slice().buffer,
    signature: new AlgorithmIdentifier({ algorithm: o.tbsAlgorithm ?? ED25519_OID }),
    issuer: o.issuer ?? pdnToName(homeServerPdn("example.chat")),
    validity: new Validity({ notBefore: o.notBefore ?? at(1), notAfter: o.notAfter ?? at(31) }),
    subject: o.subject ?? pdnToName(actorPdn("alice@example.chat", "s1")),
    subjectPublicKeyInfo: new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: ED25519_OID }),
      subjectPublicKey: (o.publicKey ?? actorKey.publicKey.raw).slice().buffer,
    }),
  });
  if (o.extensions !== null) tbs.extensions = new Extensions(o.extensions ?? [kuExt(["digitalSignature"])]);
  const signature = await (o.signer ?? rootKey).sign(new Uint8Array(AsnConvert.serialize(tbs)));
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: o.algorithm ?? ED25519_OID }),
    signatureValue: signature.slice().buffer,
  });
  return new Uint8Array(AsnConvert.serialize(cert));
}

/** A forged home-server root: self-signed by `key`, with the given extensions. */
const forgeRoot = (extensions: Extension[], key = rootKey, domain = "example.chat") =>
  forge({
    signer: key,
    issuer: pdnToName(homeServerPdn(domain)),
    subject: pdnToName(homeServerPdn(domain)),
    publicKey: key.publicKey.raw,
    notBefore: T0,
    notAfter: at(365),
    extensions,
  });
const ROOT_EXTENSIONS = [bcExt({ ca: true, pathLen: 0n }), kuExt(["keyCertSign"])];

const parseAndValidate = async (
  der: Uint8Array,
  options: ValidateIdCertOptions = { at: at(2) },
  against: IdCert = root,
) => validateIdCert(await parseIdCert(der), against, options);

// ---------------------------------------------------------------------------------------------

test("root cert: created self-signed, CA pathLen 0, keyCertSign, 1 year; validates after a parse", async () => {
  const parsed = await parseIdCert(root.pem);
  assert.deepEqual(parsed.der, root.der);
  assert.deepEqual(parsed.tbsDer, root.tbsDer);
  for (const cert of [root, parsed]) {
    assert.deepEqual(cert.subject, homeServerPdn("example.chat"));
    assert.deepEqual(cert.issuer, homeServerPdn("example.chat"));
    assert.equal(cert.domain, "example.chat");
    assert.equal(cert.fid, undefined);
    assert.deepEqual(cert.basicConstraints, { ca: true, pathLen: 0n });
    assert.deepEqual(cert.keyUsage, ["keyCertSign"]);
    assert.deepEqual(
      cert.extensions.map((e) => [e.oid, e.critical, toHex(e.value)]),
      [
        ["2.5.29.19", true, "30060101ff020100"],
        ["2.5.29.15", true, "03020204"],
      ],
    );
    assert.equal(cert.notBefore.toISOString(), T0.toISOString());
    assert.equal(cert.notAfter.getTime() - cert.notBefore.getTime(), 365 * DAY);
    assert.ok(cert.publicKey.equals(rootKey.publicKey));
    assert.ok(BigInt(cert.serial) > 0n && BigInt(cert.serial) <= MAX_ISSUED_SERIAL);
  }
  assert.equal(
    (await validateRootCert(parsed, { at: at(10), domain: "Example.Chat" })).domain,
    "example.chat",
  );
  assert.ok(await rootKey.publicKey.verify(parsed.tbsDer, parsed.signature));
});

test("root cert: every rule of core §6.1.1.2 and PROFILE §1 is enforced", async () => {
  const checks: [Promise<Uint8Array>, RegExp, Date?][] = [
    [forgeRoot([kuExt(["keyCertSign"])]), /BasicConstraints missing/],
    [
      forgeRoot([bcExt({ ca: true, pathLen: 0n }, false), kuExt(["keyCertSign"])]),
      /BasicConstraints must be critical/,
    ],
    [forgeRoot([bcExt({ ca: false }), kuExt(["keyCertSign"])]), /CA must be true/],
    [forgeRoot([bcExt({ ca: true }), kuExt(["keyCertSign"])]), /pathLen must be present and 0/],
    // polyproto-rs's Capabilities::default_home_server() uses pathLen 1; core §6.1.1.2 says 0.
    [forgeRoot([bcExt({ ca: true, pathLen: 1n }), kuExt(["keyCertSign"])]), /pathLen must be present and 0/],
    [forgeRoot([bcExt({ ca: true, pathLen: 0n })]), /KeyUsage missing/],
    [
      forgeRoot([bcExt({ ca: true, pathLen: 0n }), kuExt(["keyCertSign"], false)]),
      /KeyUsage must be critical/,
    ],
    [
      forgeRoot([bcExt({ ca: true, pathLen: 0n }), kuExt(["digitalSignature"])]),
      /KeyUsage needs keyCertSign/,
    ],
    [
      forgeRoot([...ROOT_EXTENSIONS, ext("1.2.3.4", new Uint8Array([5, 0]))]),
      /unknown critical extension 1\.2\.3\.4/,
    ],
    [forgeRoot(ROOT_EXTENSIONS), /not valid yet/, new Date(T0.getTime() - 1000)],
    [forgeRoot(ROOT_EXTENSIONS), /expired/, at(366)],
    [
      forge({ signer: rootKey, publicKey: rootKey.publicKey.raw, extensions: ROOT_EXTENSIONS }),
      /not a home server's pDN/,
    ],
    [
      forge({
        subject: pdnToName(homeServerPdn("example.chat")),
        issuer: pdnToName(homeServerPdn("other.chat")),
        publicKey: rootKey.publicKey.raw,
        extensions: ROOT_EXTENSIONS,
      }),
      /not self-issued/,
    ],
  ];
  for (const [der, message, when] of checks) {
    await assert.rejects(
      validateRootCert(await parseIdCert(await der), { at: when ?? at(2) }),
      invalidCert(message),
    );
  }
  // Positive control: the forger's defaults for a root are valid, and non-critical extensions are ignored.
  const control = await parseIdCert(
    await forgeRoot([...ROOT_EXTENSIONS, ext("1.2.3.4", new Uint8Array([5, 0]), false)]),
  );
  await validateRootCert(control, { at: at(2) });
  await assert.rejects(
    validateRootCert(control, { at: at(2), domain: "other.chat" }),
    invalidCert(/not of other\.chat/),
  );
  // Signed by another key than its own.
  const otherKey = await SigningKey.generate();
  const foreign = await forge({
    signer: otherKey,
    issuer: pdnToName(homeServerPdn("example.chat")),
    subject: pdnToName(homeServerPdn("example.chat")),
    publicKey: rootKey.publicKey.raw,
    notBefore: T0,
    notAfter: at(365),
    extensions: ROOT_EXTENSIONS,
  });
  await assert.rejects(
    validateRootCert(await parseIdCert(foreign), { at: at(2) }),
    invalidCert(/self-signature/),
  );
});

test("actor cert: issued with PROFILE §1 defaults — 30 days, random serial < 2^63, KeyUsage digitalSignature only", async () => {
  const cert = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root, notBefore: at(1) });
  assert.equal(cert.fid, "alice@example.chat");
  assert.equal(cert.sessionId, "s1");
  assert.equal(cert.domain, "example.chat");
  assert.deepEqual(cert.issuer, root.subject);
  assert.equal(cert.notBefore.toISOString(), at(1).toISOString());
  assert.equal(cert.notAfter.getTime() - cert.notBefore.getTime(), 30 * DAY);
  assert.deepEqual(cert.keyUsage, ["digitalSignature"]);
  assert.equal(cert.basicConstraints, undefined);
  assert.deepEqual(
    cert.extensions.map((e) => [e.oid, e.critical, toHex(e.value)]),
    [["2.5.29.15", true, "03020780"]],
  );
  assert.ok(cert.publicKey.equals(actorKey.publicKey));

  const parsed = await parseIdCert(cert.der);
  assert.deepEqual(parsed.der, cert.der);
  assert.deepEqual(parsed.tbsDer, cert.tbsDer);
  // Strict DER: the library re-encodes what it decoded into exactly our bytes.
  assert.deepEqual(new Uint8Array(AsnConvert.serialize(AsnConvert.parse(cert.der, Certificate))), cert.der);
  assert.equal(parsed.serial, cert.serial);
  const fromPem = await parseIdCert(cert.pem);
  assert.deepEqual(
    [fromPem.der, fromPem.subject, fromPem.notAfter],
    [parsed.der, parsed.subject, parsed.notAfter],
  );
  const valid = await validateIdCert(parsed, root, { at: at(2) });
  assert.equal(valid.fid, "alice@example.chat");
  // Bounds are inclusive (RFC 5280 §4.1.2.5).
  await validateIdCert(parsed, root, { at: parsed.notBefore });
  await validateIdCert(parsed, root, { at: parsed.notAfter });

  const serials = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const serial = BigInt(
      (await issueIdCert({ csr, issuerKey: rootKey, rootCert: root, notBefore: at(1) })).serial,
    );
    assert.ok(serial > 0n && serial <= MAX_ISSUED_SERIAL);
    serials.add(serial.toString());
  }
  assert.equal(serials.size, 50);
  // Given serials are kept exactly, including ones whose DER needs a leading zero byte.
  for (const serial of ["1", "8932490", "128", "9223372036854775807"]) {
    const given = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root, notBefore: at(1), serial });
    assert.equal((await parseIdCert(given.der)).serial, serial);
  }
  for (const serial of ["0", "9223372036854775808", "-1", "12a"]) {
    await assert.rejects(
      issueIdCert({ csr, issuerKey: rootKey, rootCert: root, notBefore: at(1), serial }),
      invalidCert(/serial must be an integer in 1\.\.2\^63-1/),
    );
  }
});

test("actor cert: validity is refused above 60 days and clamped inside the root's", async () => {
  const issue = (o: { notBefore?: Date; notAfter?: Date; validityMs?: number }, rootCert: IdCert = root) =>
    issueIdCert({ csr, issuerKey: rootKey, rootCert, ...o });
  assert.equal(
    (await issue({ notBefore: at(1), validityMs: 60 * DAY })).notAfter.toISOString(),
    at(61).toISOString(),
  );
  await assert.rejects(
    issue({ notBefore: at(1), validityMs: 60 * DAY + 1000 }),
    invalidCert(/at most 60 days/),
  );
  await assert.rejects(issue({ notBefore: at(1), notAfter: at(62) }), invalidCert(/at most 60 days/));
  await assert.rejects(
    issue({ notBefore: at(5), notAfter: at(5) }),
    invalidCert(/notAfter must be after notBefore/),
  );
  // Clamped to the root's notAfter, and up to its notBefore.
  const late = await issue({ notBefore: at(350) });
  assert.equal(late.notAfter.toISOString(), root.notAfter.toISOString());
  const early = await issue({ notBefore: at(-10) });
  assert.equal(early.notBefore.toISOString(), T0.toISOString());
  assert.equal(early.notAfter.toISOString(), at(20).toISOString());
  await validateIdCert(late, root, { at: at(360) });
  // Times are whole seconds.
  const odd = await issue({ notBefore: new Date(at(1).getTime() + 1234) });
  assert.equal(odd.notBefore.getTime() % 1000, 0);
  assert.equal((await parseIdCert(odd.der)).notBefore.toISOString(), odd.notBefore.toISOString());
  // Nothing left: the root is over at notBefore.
  await assert.rejects(issue({ notBefore: at(400) }), invalidCert(/root cert .*expired/));
});

test("actor cert: issuing refuses a wrong issuer key, a CSR of another domain, a root that is not one", async () => {
  await assert.rejects(
    issueIdCert({ csr, issuerKey: actorKey, rootCert: root, notBefore: at(1) }),
    invalidCert(/issuer key is not the key of the root cert/),
  );
  const bobKey = await SigningKey.generate();
  const foreignCsr = await parseIdCsr(
    (await createIdCsr({ signingKey: bobKey, fid: "bob@other.chat", sessionId: "s" })).der,
  );
  await assert.rejects(
    issueIdCert({ csr: foreignCsr, issuerKey: rootKey, rootCert: root, notBefore: at(1) }),
    rejectsWith("P2CORE_INVALID_CSR", /bob@other\.chat, not for an actor of example\.chat/),
  );
  const leaf = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root, notBefore: at(1) });
  await assert.rejects(
    issueIdCert({ csr, issuerKey: actorKey, rootCert: leaf, notBefore: at(2) }),
    invalidCert(/not a home server's pDN/),
  );
});

test("actor cert: every validation rule rejects, each with a message naming it", async () => {
  // Positive control: the forger's defaults make a valid cert.
  assert.equal((await parseAndValidate(await forge())).serial, "258");

  const leaf = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root, notBefore: at(1) });
  const otherRootKey = await SigningKey.generate();
  const sameDomainRoot = await createRootCert({
    signingKey: otherRootKey,
    domain: "example.chat",
    notBefore: T0,
  });
  const otherDomainRoot = await createRootCert({
    signingKey: otherRootKey,
    domain: "other.chat",
    notBefore: T0,
  });

  const tamperedSignature = Uint8Array.from(leaf.der);
  tamperedSignature[tamperedSignature.length - 1]! ^= 0x01;
  const tamperedTbs = Uint8Array.from(leaf.der);
  const s1 = Buffer.from(tamperedTbs).indexOf(Buffer.from("0c027331", "hex"));
  tamperedTbs[s1 + 3] = "2".charCodeAt(0); // session "s1" → "s2": a well-formed cert, a broken signature

  const otherSubject = (fid: string, sessionId = "s1") => pdnToName(actorPdn(fid, sessionId));
  const cases: [string, Promise<unknown>, RegExp][] = [
    [
      "tampered signature",
      parseAndValidate(tamperedSignature),
      /signature does not verify with the root key/,
    ],
    ["tampered TBS", parseAndValidate(tamperedTbs), /signature does not verify/],
    [
      "wrong root (same domain, other key)",
      parseAndValidate(leaf.der, { at: at(2) }, sameDomainRoot),
      /signature does not verify/,
    ],
    [
      "wrong root (other domain)",
      parseAndValidate(leaf.der, { at: at(2) }, otherDomainRoot),
      /issued by example\.chat, not by the root of other\.chat/,
    ],
    ["expired", parseAndValidate(leaf.der, { at: at(31.01) }), /expired/],
    ["not yet valid", parseAndValidate(leaf.der, { at: at(0.99) }), /not valid yet/],
    [
      "too long (61 days)",
      parseAndValidate(await forge({ notAfter: at(62) })),
      /valid for more than 60 days/,
    ],
    [
      "notBefore ≥ notAfter",
      parseAndValidate(await forge({ notBefore: at(3), notAfter: at(3) }), { at: at(3) }),
      /notBefore is not before notAfter/,
    ],
    [
      "before the root",
      parseAndValidate(await forge({ notBefore: at(-1), notAfter: at(20) })),
      /before the root's notBefore/,
    ],
    [
      "after the root",
      parseAndValidate(await forge({ notBefore: at(340), notAfter: at(370) }), { at: at(350) }),
      /after the root's notAfter/,
    ],
    [
      "CA cert as leaf",
      parseAndValidate(
        await forge({ extensions: [bcExt({ ca: true, pathLen: 0n }), kuExt(["digitalSignature"])] }),
      ),
      /must not be a CA/,
    ],
    ["root as leaf", parseAndValidate(root.der), /subject is not an actor's pDN/],
    [
      "leaf with keyCertSign",
      parseAndValidate(await forge({ extensions: [kuExt(["digitalSignature", "keyCertSign"])] })),
      /must not have keyCertSign/,
    ],
    [
      "leaf with cRLSign",
      parseAndValidate(await forge({ extensions: [kuExt(["digitalSignature", "cRLSign"])] })),
      /must not have keyCertSign or cRLSign/,
    ],
    ["KeyUsage missing", parseAndValidate(await forge({ extensions: null })), /KeyUsage missing/],
    [
      "KeyUsage not critical",
      parseAndValidate(await forge({ extensions: [kuExt(["digitalSignature"], false)] })),
      /KeyUsage must be critical/,
    ],
    [
      "KeyUsage without signing",
      parseAndValidate(await forge({ extensions: [kuExt(["keyAgreement"])] })),
      /needs digitalSignature or contentCommitment/,
    ],
    [
      "BasicConstraints not critical",
      parseAndValidate(
        await forge({ extensions: [bcExt({ ca: false }, false), kuExt(["digitalSignature"])] }),
      ),
      /BasicConstraints must be critical/,
    ],
    [
      "BasicConstraints pathLen on a leaf",
      parseAndValidate(
        await forge({ extensions: [bcExt({ ca: false, pathLen: 0n }), kuExt(["digitalSignature"])] }),
      ),
      /pathLen on a non-CA/,
    ],
    [
      "unknown critical extension",
      parseAndValidate(
        await forge({ extensions: [kuExt(["digitalSignature"]), ext("1.2.3.4", new Uint8Array([5, 0]))] }),
      ),
      /unknown critical extension 1\.2\.3\.4/,
    ],
    [
      "issuer is not the root (intermediate)",
      parseAndValidate(
        await forge({
          issuer: pdnToName(homeServerPdn("sub.example.chat")),
          subject: otherSubject("alice@sub.example.chat"),
        }),
      ),
      /issued by sub\.example\.chat, not by the root of example\.chat/,
    ],
    [
      "issuer DCs ≠ subject DCs",
      parseAndValidate(await forge({ subject: otherSubject("alice@other.chat") })),
      /issuer DCs \(example\.chat\) differ from subject DCs \(other\.chat\)/,
    ],
    [
      "issuer DCs in another order",
      parseAndValidate(
        await forge({
          issuer: new Name([
            rdn(DOMAIN_COMPONENT_OID, { ia5String: "example" }),
            rdn(DOMAIN_COMPONENT_OID, { ia5String: "chat" }),
          ]),
        }),
      ),
      /issued by chat\.example/,
    ],
  ];
  for (const [what, result, message] of cases) {
    await assert.rejects(result, invalidCert(message), what);
  }
  // Relaxing the 60-day cap is explicit.
  await parseAndValidate(await forge({ notAfter: at(62) }), { at: at(2), maxValidityMs: 61 * DAY });
  // Tolerated: contentCommitment instead of digitalSignature (core §6.1.1.2), critical CA=false, other non-critical extensions.
  await parseAndValidate(await forge({ extensions: [kuExt(["contentCommitment"])] }));
  await parseAndValidate(
    await forge({
      extensions: [
        bcExt({ ca: false }),
        kuExt(["digitalSignature"]),
        ext("1.2.3.4", new Uint8Array([5, 0]), false),
      ],
    }),
  );
});

test("actor cert: malformed names, session IDs, algorithms and structure are refused at parse", async () => {
  const actorName = (cn: string, uid: string, sessionId: string, dcs = ["chat", "example"]) =>
    new Name([
      ...dcs.map((dc) => rdn(DOMAIN_COMPONENT_OID, { ia5String: dc })),
      rdn(COMMON_NAME_OID, { utf8String: cn }),
      rdn(USER_ID_OID, { utf8String: uid }),
      rdn(UNIQUE_IDENTIFIER_OID, { utf8String: sessionId }),
    ]);
  const invalidName = (message: RegExp) => rejectsWith("P2CORE_INVALID_NAME", message);
  const names: [Name, RegExp][] = [
    [actorName("bob", "alice@example.chat", "s1"), /CN "bob" does not equal the UID's local name alice/],
    [
      actorName("alice", "alice@other.chat", "s1"),
      /UID domain other\.chat does not equal the DCs \(example\.chat\)/,
    ],
    [actorName("alice", "alice", "s1"), /UID is not a federation ID/],
    [actorName("alice", "alice@example.chat", "x".repeat(33)), /not a session ID/],
    [actorName("alice", "alice@example.chat", ""), /not a session ID/],
    [actorName("alice", "alice@example.chat", "s 1"), /not a session ID/],
    [actorName("alice", "alice@example.chat", "会话"), /not a session ID/],
    [new Name([rdn(COMMON_NAME_OID, { utf8String: "alice" })]), /at least one domain component/],
  ];
  for (const [subject, message] of names) {
    await assert.rejects(parseIdCert(await forge({ subject })), invalidName(message));
  }
  // The issuer must be a home server's pDN: no CN (unlike polyproto-rs's test CA `CN=root,…`).
  const cnRoot = new Name([
    rdn(DOMAIN_COMPONENT_OID, { ia5String: "chat" }),
    rdn(DOMAIN_COMPONENT_OID, { ia5String: "example" }),
    rdn(COMMON_NAME_OID, { utf8String: "root" }),
  ]);
  await assert.rejects(
    parseIdCert(await forge({ issuer: cnRoot })),
    invalidName(/must not have a common name/),
  );

  // Ed25519 (1.3.101.112) everywhere [core §6.5].
  const ecdsa = "1.2.840.10045.4.3.2";
  await assert.rejects(
    parseIdCert(await forge({ algorithm: ecdsa })),
    invalidCert(/signatureAlgorithm is 1\.2\.840\.10045\.4\.3\.2; polyproto requires Ed25519/),
  );
  await assert.rejects(
    parseIdCert(await forge({ tbsAlgorithm: ecdsa })),
    invalidCert(/TBSCertificate signature algorithm/),
  );
  const { ok } = openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "ec.key",
    "-subj",
    "/DC=chat/DC=example/CN=alice/UID=alice@example.chat/uniqueIdentifier=s1",
    "-days",
    "1",
    "-out",
    "ec.pem",
  );
  assert.ok(ok);
  await assert.rejects(parseIdCert(readFileSync(join(dir, "ec.pem"), "utf8")), invalidCert(/Ed25519/));

  // Structure.
  await assert.rejects(
    parseIdCert(await forge({ version: Version.v1, extensions: null })),
    invalidCert(/not an X\.509 v3/),
  );
  await assert.rejects(parseIdCert(await forge({ serial: "00" })), invalidCert(/positive 64-bit integer/));
  await assert.rejects(parseIdCert(await forge({ serial: "ff" })), invalidCert(/positive 64-bit integer/));
  await assert.rejects(
    parseIdCert(await forge({ serial: "010000000000000000" })),
    invalidCert(/positive 64-bit integer/),
  );
  assert.equal(
    (await parseIdCert(await forge({ serial: "00ffffffffffffffff" }))).serial,
    "18446744073709551615",
  );
  await assert.rejects(
    parseIdCert(await forge({ extensions: [kuExt(["digitalSignature"]), kuExt(["digitalSignature"])] })),
    invalidCert(/appears twice/),
  );
  await assert.rejects(
    parseIdCert(await forge({ extensions: [ext("2.5.29.15", new Uint8Array([4, 1, 0]))] })),
    invalidCert(/KeyUsage/),
  );
  await assert.rejects(
    parseIdCert(await forge({ publicKey: new Uint8Array(32) })),
    invalidCert(/subject public key/),
  );
  const good = await forge();
  await assert.rejects(parseIdCert(concatBytes(good, new Uint8Array([0]))), invalidCert(/1 trailing bytes/));
  await assert.rejects(parseIdCert(good.subarray(0, 100)), invalidCert(/not DER/));
  await assert.rejects(
    parseIdCert("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"),
    rejectsWith("P2CORE_INVALID_PEM", /CERTIFICATE/),
  );
});

test("capabilities: polyproto-rs's non-minimal encodings are read the way polyproto-rs reads them (asn1/)", async () => {
  const { results } = readVectorJson<{
    results: { file: string; extension_oid: string; extn_value_hex: string }[];
  }>("asn1/extension_encodings.json");
  const expected: Record<string, unknown> = {
    "bc_homeserver_polyproto_rs.der": { ca: true, pathLen: 1n },
    "bc_actor_polyproto_rs.der": { ca: false },
    "bc_homeserver_strict_pathlen0.der": { ca: true, pathLen: 0n },
    "bc_actor_strict.der": { ca: false },
    "ku_actor_polyproto_rs.der": ["digitalSignature"],
    "ku_homeserver_polyproto_rs.der": ["keyCertSign"],
    "ku_actor_strict.der": ["digitalSignature"],
    "ku_homeserver_strict.der": ["keyCertSign"],
  };
  assert.equal(results.length, 8);
  for (const r of results) {
    const cert = await parseIdCert(new Uint8Array(readFileSync(vectorPath(`asn1/${r.file}`))));
    const extension = cert.extensions.find((e) => e.oid === r.extension_oid);
    assert.equal(toHex(extension!.value), r.extn_value_hex, r.file);
    assert.equal(extension!.critical, true);
    const read = r.extension_oid === "2.5.29.19" ? cert.basicConstraints : cert.keyUsage;
    assert.deepEqual(read, expected[r.file], r.file);
    // Self-signed with the stimmgabel home-server key: the signature covers the bytes as received.
    assert.ok(await cert.publicKey.verify(cert.tbsDer, cert.signature), r.file);
  }
  // The strict encoders never produce those forms.
  assert.equal(toHex(basicConstraintsToDer({ ca: false })), "3000");
  assert.equal(toHex(basicConstraintsToDer({ ca: true, pathLen: 0n })), "30060101ff020100");
  assert.equal(toHex(keyUsageToDer(["digitalSignature"])), "03020780");
  assert.equal(toHex(keyUsageToDer(["keyCertSign"])), "03020204");
  assert.equal(toHex(keyUsageToDer(["digitalSignature", "contentCommitment"])), "030206c0");
  // Readers, directly: padded bit strings and 8-byte pathLens.
  assert.deepEqual(keyUsageFromDer(fromHex("0303008000")!), ["digitalSignature"]);
  assert.deepEqual(keyUsageFromDer(fromHex("03030780ff")!), ["digitalSignature", "decipherOnly"]);
  assert.deepEqual(basicConstraintsFromDer(fromHex("300d0101ff020800000000000000ff")!), {
    ca: true,
    pathLen: 255n,
  });
});

test("conformance certs: both profiles parse and validate (root = the home-server cert; the 10-year actor cert needs maxValidityMs raised)", async () => {
  const homeserverKey = await PublicKey.fromSpkiPem(readVector("keys/stimmgabel/public_homeserver.pem"));
  const actorPublic = await PublicKey.fromSpkiPem(readVector("keys/stimmgabel/public_actor.pem"));
  const when = new Date("2030-06-01T00:00:00Z");
  for (const profile of ["strict_der_form", "polyproto_rs_form"]) {
    const hs = await parseIdCert(readVector(`certs/${profile}.homeserver_idcert.pem`));
    const actor = await parseIdCert(
      new Uint8Array(readFileSync(vectorPath(`certs/${profile}.actor_idcert.der`))),
    );
    assert.equal(hs.serial, "8932489");
    assert.equal(actor.serial, "8932490");
    assert.ok(hs.publicKey.equals(homeserverKey));
    assert.ok(actor.publicKey.equals(actorPublic));
    assert.equal(actor.notBefore.toISOString(), "2025-01-01T00:00:00.000Z");
    assert.equal(actor.notAfter.toISOString(), "2035-01-01T00:00:00.000Z");
    assert.deepEqual(hs.basicConstraints, { ca: true, pathLen: 0n });
    assert.deepEqual(hs.keyUsage, ["keyCertSign"]);
    assert.deepEqual(actor.basicConstraints, { ca: false });
    assert.deepEqual(actor.keyUsage, ["digitalSignature"]);

    const rootCert = await validateRootCert(hs, { at: when, domain: "polyphony.chat" });
    const valid = await validateIdCert(actor, rootCert, { at: when, maxValidityMs: 10 * 366 * DAY });
    assert.equal(valid.fid, "flori@polyphony.chat");
    assert.equal(valid.sessionId, "client1");
    assert.equal(valid.domain, "polyphony.chat");
    // PROFILE §1's 60-day cap applies by default.
    await assert.rejects(validateIdCert(actor, rootCert, { at: when }), invalidCert(/more than 60 days/));
    await assert.rejects(
      validateIdCert(actor, rootCert, { at: new Date("2036-01-01"), maxValidityMs: Infinity }),
      invalidCert(/expired/),
    );
  }
});

test("OpenSSL: `openssl verify -CAfile root.pem actor.pem` accepts a chain we issue", async () => {
  const rootCert = await createRootCert({ signingKey: rootKey, domain: "example.chat" });
  const leaf = await issueIdCert({ csr, issuerKey: rootKey, rootCert });
  writeFileSync(join(dir, "root.pem"), rootCert.pem);
  writeFileSync(join(dir, "actor.pem"), leaf.pem);
  const verified = openssl("verify", "-CAfile", "root.pem", "actor.pem");
  assert.ok(verified.ok, verified.out);
  assert.match(verified.out, /actor\.pem: OK/);
  const text = openssl("x509", "-in", "actor.pem", "-noout", "-text").out;
  assert.match(text, /Subject: DC = chat, DC = example, CN = alice, UID = alice@example\.chat, uid = s1/);
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature/);
  assert.doesNotMatch(text, /Basic Constraints/);
  assert.match(openssl("x509", "-in", "root.pem", "-noout", "-text").out, /CA:TRUE, pathlen:0/);
  // A root past 2049 switches to GeneralizedTime (RFC 5280 §4.1.2.5); OpenSSL and we agree on the dates.
  const late = await createRootCert({
    signingKey: rootKey,
    domain: "example.chat",
    notBefore: new Date("2049-06-01T00:00:00Z"),
  });
  writeFileSync(join(dir, "late.pem"), late.pem);
  assert.match(
    openssl("x509", "-in", "late.pem", "-noout", "-enddate").out,
    /notAfter=Jun +1 00:00:00 2050 GMT/,
  );
  assert.equal((await parseIdCert(late.der)).notAfter.toISOString(), "2050-06-01T00:00:00.000Z");
  // The wrong root fails in OpenSSL too.
  writeFileSync(
    join(dir, "other-root.pem"),
    (await createRootCert({ signingKey: actorKey, domain: "example.chat" })).pem,
  );
  assert.equal(openssl("verify", "-CAfile", "other-root.pem", "actor.pem").ok, false);
});

test("OpenSSL: a CSR from `openssl req` (Ed25519 key) is parsed, issued and verified by OpenSSL", async () => {
  assert.ok(openssl("genpkey", "-algorithm", "ed25519", "-out", "k.pem").ok);
  const made = openssl(
    "req",
    "-new",
    "-utf8",
    "-key",
    "k.pem",
    "-subj",
    "/DC=chat/DC=example/CN=carol/UID=carol@example.chat/uniqueIdentifier=laptop",
    "-out",
    "carol.csr.pem",
  );
  assert.ok(made.ok, made.out);
  const carolCsr = await parseIdCsr(readFileSync(join(dir, "carol.csr.pem"), "utf8"));
  const rootCert = await createRootCert({ signingKey: rootKey, domain: "example.chat" });
  const cert = await issueIdCert({ csr: carolCsr, issuerKey: rootKey, rootCert });
  assert.equal(cert.fid, "carol@example.chat");
  assert.equal(cert.sessionId, "laptop");
  await validateIdCert(await parseIdCert(cert.pem), rootCert);
  writeFileSync(join(dir, "root2.pem"), rootCert.pem);
  writeFileSync(join(dir, "carol.pem"), cert.pem);
  const verified = openssl("verify", "-CAfile", "root2.pem", "carol.pem");
  assert.ok(verified.ok, verified.out);
  // And the other way round: OpenSSL issues with our root key; we validate what it made.
  writeFileSync(join(dir, "root.key"), rootKey.toPkcs8Pem());
  writeFileSync(join(dir, "ext.cnf"), "keyUsage = critical, digitalSignature\n");
  const signed = openssl(
    "x509",
    "-req",
    "-in",
    "carol.csr.pem",
    "-CA",
    "root2.pem",
    "-CAkey",
    "root.key",
    "-set_serial",
    "12345",
    "-days",
    "30",
    "-extfile",
    "ext.cnf",
    "-out",
    "carol-openssl.pem",
  );
  assert.ok(signed.ok, signed.out);
  const byOpenssl = await validateIdCert(
    await parseIdCert(readFileSync(join(dir, "carol-openssl.pem"), "utf8")),
    rootCert,
  );
  assert.equal(byOpenssl.serial, "12345");
  assert.equal(byOpenssl.fid, "carol@example.chat");
});
