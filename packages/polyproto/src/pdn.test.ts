import assert from "node:assert/strict";
import { test } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";
import { toHex } from "./bytes.js";
import { PolyprotoError } from "./errors.js";
import {
  COMMON_NAME_OID,
  DOMAIN_COMPONENT_OID,
  type Pdn,
  type PdnTarget,
  UNIQUE_IDENTIFIER_OID,
  USER_ID_OID,
  actorPdn,
  domainComponents,
  homeServerPdn,
  pdnEquals,
  pdnFromDer,
  pdnFromName,
  pdnFromString,
  pdnToDer,
  pdnToName,
  pdnToString,
} from "./pdn.js";
import { readVectorJson } from "./vectors.test-helper.js";

interface PdnCase {
  name: string;
  targets: ("none" | "actor" | "home_server")[];
  expected_valid: boolean | string;
  source: string;
}
const { cases } = readVectorJson<{ cases: PdnCase[] }>("pdn_names.json");
const sessionIds = readVectorJson<{ cases: { session_id: string; valid: boolean }[] }>(
  "session_ids.json",
).cases;

const TARGETS: Record<PdnCase["targets"][number], PdnTarget | undefined> = {
  none: undefined,
  actor: "actor",
  home_server: "homeServer",
};

function verdict(run: () => Pdn): true | string {
  try {
    run();
    return true;
  } catch (error) {
    assert.ok(error instanceof PolyprotoError, String(error));
    assert.equal(error.code, "P2CORE_INVALID_NAME");
    return error.message;
  }
}

test("pDN: every pdn_names.json case gets its verdict, for every target it lists", () => {
  assert.ok(cases.length >= 29);
  let checked = 0;
  for (const c of cases) {
    if (typeof c.expected_valid !== "boolean") continue; // the CN=root case, next test
    for (const target of c.targets) {
      const result = verdict(() => pdnFromString(c.name, TARGETS[target]));
      assert.equal(result === true, c.expected_valid, `${c.name} as ${target} (${c.source}): ${result}`);
      checked++;
    }
  }
  assert.ok(checked >= 50);
});

test("pDN: CN=root,DC=polyphony,DC=chat as a home server is REJECTED (deliberately unlike polyproto-rs, which accepts it)", () => {
  const c = cases.find((x) => x.name === "CN=root,DC=polyphony,DC=chat");
  assert.equal(c?.expected_valid, "polyproto-rs: accepted");
  // core §6.1.1.1: a home server's pDN must not have a common name.
  assert.throws(
    () => pdnFromString("CN=root,DC=polyphony,DC=chat", "homeServer"),
    /must not have a common name/,
  );
  // Without a target it looks like an actor's name, and lacks UID and uniqueIdentifier.
  assert.throws(() => pdnFromString("CN=root,DC=polyphony,DC=chat"), /needs a UID/);
  assert.deepEqual(pdnFromString("DC=polyphony,DC=chat", "homeServer"), homeServerPdn("polyphony.chat"));
});

test("pDN: every session_ids.json case, through actorPdn and through a parsed name", () => {
  for (const { session_id, valid } of sessionIds) {
    assert.equal(verdict(() => actorPdn("flori@polyphony.chat", session_id)) === true, valid, session_id);
    const text = `uniqueIdentifier=${session_id},UID=flori@polyphony.chat,CN=flori,DC=polyphony,DC=chat`;
    assert.equal(verdict(() => pdnFromString(text, "actor")) === true, valid, text);
  }
});

test("pDN: the error names the broken rule", () => {
  const cases: [string, RegExp][] = [
    ["CN=flori", /at least one domain component/],
    ["CN=flori,CN=xenia,DC=localhost", /at most one CN/],
    [
      "uniqueIdentifier=a,uniqueIdentifier=b,UID=f@localhost,CN=f,DC=localhost",
      /at most one uniqueIdentifier/,
    ],
    [
      "uniqueIdentifier=s,UID=flori@polyphony.chat,CN=bitfl0wer,DC=polyphony,DC=chat",
      /CN "bitfl0wer" does not equal/,
    ],
    [
      "uniqueIdentifier=s,UID=flori@polyphony.cat,CN=flori,DC=polyphony,DC=chat",
      /UID domain polyphony.cat does not equal/,
    ],
    ["uniqueIdentifier=s,UID=flori,CN=flori,DC=polyphony,DC=chat", /UID is not a federation ID/],
    ["uniqueIdentifier=s,CN=flori,DC=polyphony,DC=chat", /needs a UID/],
    ["UID=flori@polyphony.chat,CN=flori,DC=polyphony,DC=chat", /needs a uniqueIdentifier/],
    ["uniqueIdentifier=a b,UID=flori@polyphony.chat,CN=flori,DC=polyphony,DC=chat", /not a session ID/],
    [
      "uniqueIdentifier=s,UID=f@exa_mple.chat,CN=f,DC=exa_mple,DC=chat",
      /DC="exa_mple" is not a domain label/,
    ],
    ["uniqueIdentifier=s,UID=f@a.b.chat,CN=f,DC=a.b,DC=chat", /DC="a.b" is not a domain label/],
    ["CN=f+UID=f@a.chat,DC=a,DC=chat", /no multi-valued RDNs/],
    ["O=Acme,DC=chat", /attribute type "O" is not one a pDN uses/],
    ["DC=chat,", /without "="/],
    ["2.5.4.10=Acme,DC=example,DC=chat", /only domain components/],
  ];
  for (const [text, message] of cases) assert.throws(() => pdnFromString(text), message, text);
});

test("pDN: names are built in DER order TLD first, DC as IA5String and the rest as UTF8String", () => {
  const pdn = actorPdn("Alice@Example.Chat", "s1");
  assert.deepEqual(pdn, {
    kind: "actor",
    fid: "alice@example.chat",
    localName: "alice",
    domain: "example.chat",
    sessionId: "s1",
  });
  const name = pdnToName(pdn);
  const attributes = Array.from(name, (rdn) => {
    assert.equal(rdn.length, 1);
    return rdn[0]!;
  });
  assert.deepEqual(
    attributes.map((a) => a.type),
    [DOMAIN_COMPONENT_OID, DOMAIN_COMPONENT_OID, COMMON_NAME_OID, USER_ID_OID, UNIQUE_IDENTIFIER_OID],
  );
  assert.deepEqual(
    attributes.map((a) => [a.value.ia5String, a.value.utf8String]),
    [
      ["chat", undefined],
      ["example", undefined],
      [undefined, "alice"],
      [undefined, "alice@example.chat"],
      [undefined, "s1"],
    ],
  );
  // The DER of the string types themselves: IA5String is tag 0x16, UTF8String 0x0c.
  const der = toHex(pdnToDer(pdn));
  assert.ok(der.includes(`1604${toHex(new TextEncoder().encode("chat"))}`));
  assert.ok(der.includes(`0c05${toHex(new TextEncoder().encode("alice"))}`));
  assert.deepEqual(pdnFromDer(pdnToDer(pdn)), pdn);
  assert.deepEqual(domainComponents("a.example.chat"), ["chat", "example", "a"]);
  assert.equal(pdnToString(pdn), "uniqueIdentifier=s1,UID=alice@example.chat,CN=alice,DC=example,DC=chat");
  assert.equal(pdnToString(homeServerPdn("Example.Chat")), "DC=example,DC=chat");
  assert.deepEqual(pdnFromName(pdnToName(homeServerPdn("example.chat"))), homeServerPdn("example.chat"));
});

test("pDN: string ↔ name round trips, with escaping of RFC 4514 specials in session IDs", () => {
  for (const sessionId of [
    "s1",
    "a,b",
    "x+y",
    '"q"',
    "back\\slash",
    "#hash",
    "semi;colon",
    "<>",
    "=eq",
    "~!@$%^&*()",
  ]) {
    const pdn = actorPdn("x.y+z@sub.example.chat", sessionId);
    const text = pdnToString(pdn);
    assert.deepEqual(pdnFromString(text), pdn, text);
    assert.deepEqual(pdnFromName(pdnToName(pdn)), pdn, text);
    assert.ok(pdnEquals(pdnFromString(text), pdn));
  }
  assert.equal(pdnToString(actorPdn("a+b@example.chat", "#1")).split(",")[0], "uniqueIdentifier=\\#1");
  assert.ok(!pdnEquals(actorPdn("a@example.chat", "s1"), actorPdn("a@example.chat", "s2")));
  assert.ok(!pdnEquals(actorPdn("a@example.chat", "s1"), homeServerPdn("example.chat")));
});

test("pDN: tolerant reading of RFC 4514 — type names in any case, OIDs, hex escapes, #BER values, spaces", () => {
  const expected = actorPdn("flori@polyphony.chat", "client1");
  for (const text of [
    "uniqueIdentifier=client1,UID=flori@polyphony.chat,CN=flori,DC=polyphony,DC=chat",
    "UNIQUEIDENTIFIER=client1, userId=flori@polyphony.chat, commonName=flori, domainComponent=polyphony, dc=chat",
    "0.9.2342.19200300.100.1.44=client1,0.9.2342.19200300.100.1.1=flori@polyphony.chat,2.5.4.3=flori,DC=polyphony,DC=chat",
    "uniqueIdentifier=client\\31,UID=flori\\40polyphony.chat,CN=Flori,DC=Polyphony,DC=CHAT",
    // #hex: the BER of a UTF8String "client1" and of an IA5String "chat".
    "uniqueIdentifier=#0c07636c69656e7431,UID=flori@polyphony.chat,CN=flori,DC=polyphony,DC=#160463686174",
    // polyproto-rs's order (CN first in the string): attribute positions are free, DC order is not.
    "CN=flori,DC=polyphony,DC=chat,UID=flori@polyphony.chat,uniqueIdentifier=client1",
  ]) {
    assert.deepEqual(pdnFromString(text), expected, text);
  }
  // DC order matters: reversed DCs name another domain.
  assert.throws(
    () => pdnFromString("uniqueIdentifier=c,UID=flori@polyphony.chat,CN=flori,DC=chat,DC=polyphony"),
    /UID domain polyphony.chat does not equal the DCs \(chat.polyphony\)/,
  );
  assert.throws(() => pdnFromString("uniqueIdentifier=#zz,UID=f@a.chat,CN=f,DC=a,DC=chat"), /#hex/);
  assert.throws(() => pdnFromString("uniqueIdentifier=a\\"), /lone backslash/);
});

test("pDN: from ASN.1 names — other string types, multi-valued RDNs, extra attributes", () => {
  const rdn = (type: string, value: Partial<AttributeValue>) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue(value) })]);
  const base = [
    rdn(DOMAIN_COMPONENT_OID, { ia5String: "chat" }),
    rdn(DOMAIN_COMPONENT_OID, { utf8String: "polyphony" }),
    rdn(COMMON_NAME_OID, { printableString: "flori" }),
    rdn(USER_ID_OID, { ia5String: "flori@polyphony.chat" }),
    rdn(UNIQUE_IDENTIFIER_OID, { utf8String: "client1" }),
  ];
  const expected = actorPdn("flori@polyphony.chat", "client1");
  assert.deepEqual(pdnFromName(new Name(base)), expected);
  // Through DER too (the string type survives encoding).
  assert.deepEqual(pdnFromDer(new Uint8Array(AsnConvert.serialize(new Name(base)))), expected);

  // core §6.1.1.1 allows other attributes in an actor's pDN; they are ignored.
  const withOrg = [...base, rdn("2.5.4.10", { utf8String: "Polyphony" })];
  assert.deepEqual(pdnFromName(new Name(withOrg)), expected);
  // A BMPString (or any type we do not read) for a pDN attribute is refused.
  const bmp = [...base.slice(0, 4), rdn(UNIQUE_IDENTIFIER_OID, { bmpString: "client1" })];
  assert.throws(() => pdnFromName(new Name(bmp)), /not a UTF8String, PrintableString or IA5String/);
  // Decision: one attribute per RDN.
  const multi = new RelativeDistinguishedName([
    new AttributeTypeAndValue({ type: COMMON_NAME_OID, value: new AttributeValue({ utf8String: "flori" }) }),
    new AttributeTypeAndValue({
      type: USER_ID_OID,
      value: new AttributeValue({ utf8String: "flori@polyphony.chat" }),
    }),
  ]);
  assert.throws(() => pdnFromName(new Name([base[0]!, base[1]!, multi, base[4]!])), /multi-valued/);
  assert.throws(() => pdnFromName(new Name([])), /at least one domain component/);
  assert.throws(() => pdnFromDer(new Uint8Array([0x30, 0x05, 0x00])), /not a DER X.509 Name/);
  // Targets narrow the kind.
  assert.throws(() => pdnFromName(new Name(base), "homeServer"), /must not have a common name/);
  assert.throws(() => pdnFromName(new Name(base.slice(0, 2)), "actor"), /needs a common name/);
});

test("pDN: constructors reject bad input", () => {
  assert.throws(
    () => actorPdn("not a fid", "s1"),
    (e: PolyprotoError) => e.code === "P2CORE_INVALID_NAME",
  );
  assert.throws(() => actorPdn("a@example.chat", ""), /not a session ID/);
  assert.throws(() => actorPdn("a@example.chat", "x".repeat(33)), /not a session ID/);
  assert.throws(
    () => homeServerPdn("-bad.chat"),
    (e: PolyprotoError) => e.code === "P2CORE_INVALID_DOMAIN",
  );
});
