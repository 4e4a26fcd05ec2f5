import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDomain, parseFederationId, tryParseFederationId } from "./federationId.js";
import { isValidServiceName } from "./serviceName.js";
import { isValidSessionId } from "./sessionId.js";
import { readVectorJson } from "./vectors.test-helper.js";

interface FidVectors {
  upstream_cases: { fid: string; valid: boolean }[];
  derived_cases_NOT_upstream: { fid: string; polyproto_rs_result: boolean | string }[];
}
const fids = readVectorJson<FidVectors>("federation_ids.json");

test("federation IDs: every upstream case gets the upstream verdict", () => {
  assert.ok(fids.upstream_cases.length >= 19);
  for (const { fid, valid } of fids.upstream_cases) {
    assert.equal(tryParseFederationId(fid) !== undefined, valid, fid);
  }
});

test("federation IDs: derived cases (we lowercase; we reject what polyproto-rs wrongly accepts)", () => {
  const ours: Record<string, string | false> = {
    // Deliberate difference: PROFILE §1 lowercases on input; polyproto-rs rejects uppercase.
    "Xenia@example.com": "xenia@example.com",
    "xenia@Example.com": "xenia@example.com",
    "xenia@sub.example.com": "xenia@sub.example.com",
    "xenia@example.com.": false,
    "xenia@example..com": false,
    "xenia @example.com": false,
    "xenia@example.com ": false,
    // Deliberate difference: polyproto-rs's unanchored regex accepts these three.
    "a@b@c.com": false,
    "evil<script>x@example.com": false,
    "xenia@-example.com": false,
  };
  for (const { fid } of fids.derived_cases_NOT_upstream) {
    assert.ok(fid in ours, `vector ${fid} has an expectation here`);
    assert.equal(tryParseFederationId(fid)?.fid ?? false, ours[fid], fid);
  }
});

test("federation IDs: the profile's length and label rules", () => {
  assert.equal(parseFederationId(`${"a".repeat(64)}@x.y`).localName.length, 64);
  assert.equal(tryParseFederationId(`${"a".repeat(65)}@x.y`), undefined);
  assert.ok(tryParseFederationId(`a@${"b".repeat(63)}.com`));
  assert.equal(tryParseFederationId(`a@${"b".repeat(64)}.com`), undefined);
  const longDomain = Array.from({ length: 4 }, () => "c".repeat(62)).join(".");
  assert.equal(longDomain.length, 251);
  assert.ok(tryParseFederationId(`a@${longDomain}`));
  assert.equal(tryParseFederationId(`a@${longDomain}.dd`), undefined, "254 characters");
  assert.equal(tryParseFederationId("a@example-.com"), undefined);
  assert.equal(tryParseFederationId("a\t@example.com"), undefined);
  assert.equal(tryParseFederationId("alice@exämple.com"), undefined);
  assert.equal(tryParseFederationId(42), undefined);
  assert.equal(tryParseFederationId(null), undefined);
  const parsed = parseFederationId("Alice.Smith+x@Example.Chat");
  assert.deepEqual(parsed, { fid: "alice.smith+x@example.chat", localName: "alice.smith+x", domain: "example.chat" });
});

test("federation IDs: errors carry the profile's code", () => {
  assert.throws(() => parseFederationId("a@b@c.com"), { code: "P2CORE_INVALID_FEDERATION_ID" });
  assert.throws(() => parseDomain("-bad.com"), { code: "P2CORE_INVALID_DOMAIN" });
  assert.equal(parseDomain("A.Test"), "a.test");
});

test("session IDs: every conformance case, plus our no-whitespace rule", () => {
  const { cases } = readVectorJson<{ cases: { session_id: string; valid: boolean }[] }>("session_ids.json");
  assert.ok(cases.length >= 6);
  for (const { session_id, valid } of cases) assert.equal(isValidSessionId(session_id), valid, session_id);
  // PROFILE §1 "printable ASCII": we exclude control characters and spaces.
  assert.equal(isValidSessionId("has space"), false);
  assert.equal(isValidSessionId("tab\t"), false);
  assert.equal(isValidSessionId("~!#$"), true);
  assert.equal(isValidSessionId(7), false);
});

test("service names: every conformance case", () => {
  const names = readVectorJson<{ valid: string[]; invalid: string[] }>("service_names.json");
  for (const name of names.valid) assert.equal(isValidServiceName(name), true, name);
  for (const name of names.invalid) assert.equal(isValidServiceName(name), false, name);
  assert.ok(names.valid.length + names.invalid.length >= 20);
});
