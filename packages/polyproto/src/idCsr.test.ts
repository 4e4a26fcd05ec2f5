import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Attribute,
  Extension,
  Extensions,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { concatBytes, utf8 } from "./bytes.js";
import { PolyprotoError } from "./errors.js";
import { basicConstraintsToDer, encodeSigned, keyUsageToDer } from "./idCert.js";
import { EXTENSION_REQUEST_OID, createIdCsr, parseIdCsr } from "./idCsr.js";
import { ED25519_OID, SigningKey } from "./keys.js";
import { type Pdn, actorPdn, homeServerPdn, pdnToName } from "./pdn.js";
import { toPem } from "./pem.js";
import { readVector, vectorPath } from "./vectors.test-helper.js";

const dir = mkdtempSync(join(tmpdir(), "p2-idcsr-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): string {
  const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout + result.stderr;
}

const code = (expected: string, message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof PolyprotoError, String(error));
  assert.equal(error.code, expected, error.message);
  if (message) assert.match(error.message, message);
  return true;
};

/** A CSR signed by `key` from hand-picked parts (for the cases our own builder never produces). */
async function forgeCsr(
  key: SigningKey,
  attributes: Attribute[],
  subject: Pdn = actorPdn("alice@example.chat", "s1"),
) {
  const info = new CertificationRequestInfo({
    version: 0,
    subject: pdnToName(subject),
    subjectPKInfo: new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: ED25519_OID }),
      subjectPublicKey: key.publicKey.raw.slice().buffer,
    }),
    attributes: new Attributes(attributes),
  });
  return (await encodeSigned(info, key)).der;
}

const extensionRequest = (...extensions: Extension[]) =>
  new Attribute({ type: EXTENSION_REQUEST_OID, values: [AsnConvert.serialize(new Extensions(extensions))] });

test("ID-CSR: create, then parse from PEM and DER; the self-signature covers the info as received", async () => {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: "Alice@Example.Chat", sessionId: "s1" });
  assert.equal(csr.fid, "alice@example.chat");
  assert.equal(csr.sessionId, "s1");
  assert.match(csr.pem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
  for (const input of [csr.pem, csr.der]) {
    const parsed = await parseIdCsr(input);
    assert.deepEqual(parsed.subject, actorPdn("alice@example.chat", "s1"));
    assert.ok(parsed.publicKey.equals(key.publicKey));
    assert.deepEqual(parsed.capabilities, {
      form: "extensionRequest",
      keyUsage: ["digitalSignature"],
      keyUsageCritical: true,
    });
    assert.deepEqual(parsed.infoDer, csr.infoDer);
    // Strict DER: the library re-encodes what it decoded into exactly our bytes.
    assert.deepEqual(new Uint8Array(AsnConvert.serialize(AsnConvert.parse(csr.der, CertificationRequest))), csr.der);
    assert.ok(await key.publicKey.verify(parsed.infoDer, parsed.signature));
  }
  await assert.rejects(
    createIdCsr({ signingKey: key, fid: "alice", sessionId: "s1" }),
    code("P2CORE_INVALID_NAME"),
  );
  await assert.rejects(
    createIdCsr({ signingKey: key, fid: "alice@example.chat", sessionId: "" }),
    code("P2CORE_INVALID_NAME"),
  );
});

test("ID-CSR: both conformance profiles (polyproto-rs's direct-attribute form) parse and verify", async () => {
  const actorKey = await SigningKey.fromPkcs8Pem(readVector("keys/stimmgabel/private_actor.pem"));
  for (const profile of ["strict_der_form", "polyproto_rs_form"]) {
    for (const input of [
      readVector(`certs/${profile}.actor_idcsr.pem`),
      new Uint8Array(readFileSync(vectorPath(`certs/${profile}.actor_idcsr.der`))),
    ]) {
      const csr = await parseIdCsr(input);
      assert.equal(csr.fid, "flori@polyphony.chat");
      assert.equal(csr.sessionId, "client1");
      assert.equal(csr.subject.domain, "polyphony.chat");
      assert.ok(csr.publicKey.equals(actorKey.publicKey));
      // KeyUsage and BasicConstraints as direct PKCS#10 attributes; the strict profile's BC is `3000`.
      assert.deepEqual(csr.capabilities, {
        form: "attributes",
        keyUsage: ["digitalSignature"],
        keyUsageCritical: true,
        basicConstraints: { ca: false },
      });
    }
  }
});

test("ID-CSR: rejections — tampered info or signature, trailing bytes, garbage", async () => {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: "alice@example.chat", sessionId: "s1" });

  // Change the session ID inside the signed bytes: still a well-formed CSR, but the signature fails.
  const tampered = Uint8Array.from(csr.der);
  const at = Buffer.from(tampered).indexOf(Buffer.from("0c027331", "hex")); // UTF8String "s1"
  assert.ok(at > 0);
  tampered[at + 3] = "2".charCodeAt(0);
  await assert.rejects(parseIdCsr(tampered), code("P2CORE_INVALID_CSR", /self-signature does not verify/));

  const badSignature = Uint8Array.from(csr.der);
  badSignature[badSignature.length - 1]! ^= 1;
  await assert.rejects(parseIdCsr(badSignature), code("P2CORE_INVALID_CSR", /self-signature/));

  await assert.rejects(
    parseIdCsr(concatBytes(csr.der, new Uint8Array([0]))),
    code("P2CORE_INVALID_CSR", /trailing/),
  );
  await assert.rejects(
    parseIdCsr(csr.der.subarray(0, csr.der.length - 1)),
    code("P2CORE_INVALID_CSR", /not DER/),
  );
  await assert.rejects(parseIdCsr(new Uint8Array(0)), code("P2CORE_INVALID_CSR"));
  await assert.rejects(parseIdCsr(utf8("hello")), code("P2CORE_INVALID_CSR"));
  await assert.rejects(parseIdCsr("not pem"), code("P2CORE_INVALID_PEM"));
  // The pre-RFC 7468 label is read too.
  const legacy = toPem(csr.der, "NEW CERTIFICATE REQUEST");
  assert.equal((await parseIdCsr(legacy)).fid, "alice@example.chat");
});

test("ID-CSR: capability rules — no CA request, no keyCertSign, no unknown critical extension, one form only", async () => {
  const key = await SigningKey.generate();
  const ku = (usage: Parameters<typeof keyUsageToDer>[0], critical = true) =>
    new Extension({ extnID: "2.5.29.15", critical, extnValue: new OctetString(keyUsageToDer(usage)) });
  const bc = (ca: boolean) =>
    new Extension({
      extnID: "2.5.29.19",
      critical: true,
      extnValue: new OctetString(basicConstraintsToDer({ ca })),
    });

  await assert.rejects(
    parseIdCsr(await forgeCsr(key, [extensionRequest(ku(["digitalSignature"]), bc(true))])),
    code("P2CORE_INVALID_CSR", /may not request a CA cert/),
  );
  await assert.rejects(
    parseIdCsr(await forgeCsr(key, [extensionRequest(ku(["digitalSignature", "keyCertSign"]))])),
    code("P2CORE_INVALID_CSR", /keyCertSign or cRLSign/),
  );
  await assert.rejects(
    parseIdCsr(
      await forgeCsr(key, [
        new Attribute({
          type: "2.5.29.19",
          values: [basicConstraintsToDer({ ca: true, pathLen: 0n }).slice().buffer],
        }),
      ]),
    ),
    code("P2CORE_INVALID_CSR", /may not request a CA cert/),
  );
  const unknownCritical = new Extension({
    extnID: "1.2.3.4",
    critical: true,
    extnValue: new OctetString(new Uint8Array([5, 0])),
  });
  await assert.rejects(
    parseIdCsr(await forgeCsr(key, [extensionRequest(ku(["digitalSignature"]), unknownCritical)])),
    code("P2CORE_INVALID_CSR", /unknown critical extension requested: 1.2.3.4/),
  );
  const unknownPlain = new Extension({
    extnID: "1.2.3.4",
    critical: false,
    extnValue: new OctetString(new Uint8Array([5, 0])),
  });
  const tolerated = await parseIdCsr(
    await forgeCsr(key, [extensionRequest(ku(["contentCommitment"], false), unknownPlain)]),
  );
  assert.deepEqual(tolerated.capabilities, {
    form: "extensionRequest",
    keyUsage: ["contentCommitment"],
    keyUsageCritical: false,
  });

  const kuAttribute = new Attribute({
    type: "2.5.29.15",
    values: [keyUsageToDer(["digitalSignature"]).slice().buffer],
  });
  await assert.rejects(
    parseIdCsr(await forgeCsr(key, [kuAttribute, extensionRequest(ku(["digitalSignature"]))])),
    code("P2CORE_INVALID_CSR", /requested twice|both in extensionRequest and as attributes/),
  );
  await assert.rejects(
    parseIdCsr(await forgeCsr(key, [kuAttribute, kuAttribute])),
    code("P2CORE_INVALID_CSR", /requested twice/),
  );
  // A home server's name is not an actor's.
  await assert.rejects(
    parseIdCsr(await forgeCsr(key, [], homeServerPdn("example.chat"))),
    code("P2CORE_INVALID_NAME", /needs a common name/),
  );
  // No capabilities at all: the server decides (it issues digitalSignature).
  assert.deepEqual((await parseIdCsr(await forgeCsr(key, []))).capabilities, { form: "none" });
});

test("ID-CSR: OpenSSL accepts ours (`openssl req -verify`) and prints the requested KeyUsage", async () => {
  const key = await SigningKey.generate();
  const csr = await createIdCsr({ signingKey: key, fid: "alice@example.chat", sessionId: "s1" });
  writeFileSync(join(dir, "ours.csr.pem"), csr.pem);
  assert.match(openssl("req", "-verify", "-noout", "-in", "ours.csr.pem"), /verify OK/);
  const text = openssl("req", "-noout", "-text", "-in", "ours.csr.pem");
  assert.match(text, /Subject: DC = chat, DC = example, CN = alice, UID = alice@example.chat, uid = s1/);
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature/);
});

test("ID-CSR: CSRs made by `openssl req` parse (name or OID for uniqueIdentifier), with and without -addext", async () => {
  openssl("genpkey", "-algorithm", "ed25519", "-out", "k.pem");
  const key = await SigningKey.fromPkcs8Pem(readFileSync(join(dir, "k.pem"), "utf8"));
  // OpenSSL writes RDNs in the order given, so /DC=chat/DC=example/... is DER order, TLD first.
  for (const subj of [
    "/DC=chat/DC=example/CN=alice/UID=alice@example.chat/uniqueIdentifier=s1",
    "/DC=chat/DC=example/CN=alice/UID=alice@example.chat/0.9.2342.19200300.100.1.44=s1",
  ]) {
    openssl("req", "-new", "-utf8", "-key", "k.pem", "-subj", subj, "-out", "o.csr.pem");
    const csr = await parseIdCsr(readFileSync(join(dir, "o.csr.pem"), "utf8"));
    assert.deepEqual(csr.subject, actorPdn("alice@example.chat", "s1"));
    assert.ok(csr.publicKey.equals(key.publicKey));
    assert.deepEqual(csr.capabilities, { form: "none" });
  }
  const subj = "/DC=chat/DC=example/CN=alice/UID=alice@example.chat/uniqueIdentifier=s1";
  const make = (...addext: string[]) => {
    openssl(
      "req",
      "-new",
      "-utf8",
      "-key",
      "k.pem",
      "-subj",
      subj,
      ...addext.flatMap((e) => ["-addext", e]),
      "-out",
      "x.csr.pem",
    );
    return parseIdCsr(readFileSync(join(dir, "x.csr.pem"), "utf8"));
  };
  assert.deepEqual(
    (await make("keyUsage=critical,digitalSignature", "subjectAltName=DNS:example.chat")).capabilities,
    {
      form: "extensionRequest",
      keyUsage: ["digitalSignature"],
      keyUsageCritical: true,
    },
  );
  await assert.rejects(make("basicConstraints=critical,CA:TRUE"), code("P2CORE_INVALID_CSR", /CA cert/));
  await assert.rejects(make("keyUsage=critical,keyCertSign"), code("P2CORE_INVALID_CSR", /keyCertSign/));
  await assert.rejects(make("1.2.3.4=critical,DER:0500"), code("P2CORE_INVALID_CSR", /unknown critical/));
  // A name in the wrong order (RFC 4514 order written as DER order) names the domain example.chat backwards.
  openssl(
    "req",
    "-new",
    "-key",
    "k.pem",
    "-subj",
    "/uniqueIdentifier=s1/UID=alice@example.chat/CN=alice/DC=example/DC=chat",
    "-out",
    "r.csr.pem",
  );
  await assert.rejects(
    parseIdCsr(readFileSync(join(dir, "r.csr.pem"), "utf8")),
    code("P2CORE_INVALID_NAME", /does not equal the DCs/),
  );
});

test("ID-CSR: non-Ed25519 requests are refused [core §6.5]", async () => {
  openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
  openssl(
    "req",
    "-new",
    "-key",
    "ec.pem",
    "-subj",
    "/DC=chat/DC=example/CN=alice/UID=alice@example.chat/uniqueIdentifier=s1",
    "-out",
    "ec.csr.pem",
  );
  await assert.rejects(
    parseIdCsr(readFileSync(join(dir, "ec.csr.pem"), "utf8")),
    code("P2CORE_INVALID_CSR", /requires Ed25519 \(1\.3\.101\.112\)/),
  );
});
