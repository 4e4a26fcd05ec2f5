import assert from "node:assert/strict";
import { test } from "node:test";
import { PublicKey, SigningKey } from "./keys.js";
import { CHALLENGE_LENGTH, generateChallenge, isValidChallenge, signKeyTrial, verifyKeyTrial } from "./keyTrial.js";
import { readVector, readVectorJson } from "./vectors.test-helper.js";

interface SignatureVectors {
  key_trials: { trial: string; signature_hex: string }[];
  negative_altered_trial: { trial: string; signature_hex: string };
  negative_wrong_key: { trial: string; signature_hex: string };
}
const vectors = readVectorJson<SignatureVectors>("signatures_derived.json");
const actor = () => SigningKey.fromPkcs8Pem(readVector("keys/stimmgabel/private_actor.pem"));
const homeserverPublic = () => PublicKey.fromSpkiPem(readVector("keys/stimmgabel/public_homeserver.pem"));

test("key trials: signatures_derived.json reproduced byte for byte", async () => {
  const key = await actor();
  assert.equal(vectors.key_trials.length, 3);
  for (const { trial, signature_hex } of vectors.key_trials) {
    assert.equal(await signKeyTrial(key, trial), signature_hex);
    assert.ok(await verifyKeyTrial(key.publicKey, trial, signature_hex));
  }
});

test("key trials: the negative vectors fail", async () => {
  const key = await actor();
  const altered = vectors.negative_altered_trial;
  assert.equal(await verifyKeyTrial(key.publicKey, altered.trial, altered.signature_hex), false);
  const wrong = vectors.negative_wrong_key;
  assert.equal(await verifyKeyTrial(await homeserverPublic(), wrong.trial, wrong.signature_hex), false);
});

test("challenges: 64 characters of [A-Za-z0-9], unique, within the accepted bounds", () => {
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < 500; i++) {
    const c = generateChallenge();
    assert.match(c, /^[A-Za-z0-9]{64}$/);
    assert.equal(c.length, CHALLENGE_LENGTH);
    seen.add(c);
    for (const ch of c) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  assert.equal(seen.size, 500);
  assert.equal(counts.size, 62, "every character of the alphabet occurs");
  assert.equal(isValidChallenge("a".repeat(31)), false);
  assert.equal(isValidChallenge("a".repeat(32)), true);
  assert.equal(isValidChallenge("a".repeat(256)), true);
  assert.equal(isValidChallenge("a".repeat(257)), false);
  assert.equal(isValidChallenge(undefined), false);
});
