import type { Ed25519Platform } from "./ed25519.js";
import { fromBase64 } from "../bytes.js";

const subtle = globalThis.crypto.subtle;
const ED25519 = { name: "Ed25519" } as const;

async function exportRaw(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle.exportKey("raw", key));
}

export const platform: Ed25519Platform = {
  async generate() {
    const pair = (await subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
    return {
      pkcs8: new Uint8Array(await subtle.exportKey("pkcs8", pair.privateKey)),
      publicRaw: await exportRaw(pair.publicKey),
    };
  },
  async importPrivate(pkcs8) {
    const key = await subtle.importKey("pkcs8", pkcs8 as BufferSource, ED25519, true, ["sign"]);
    const jwk = await subtle.exportKey("jwk", key);
    const publicRaw = jwk.x === undefined ? undefined : fromBase64(jwk.x);
    const seed = jwk.d === undefined ? undefined : fromBase64(jwk.d);
    if (!publicRaw || !seed) throw new Error("platform returned no Ed25519 key material");
    return {
      sign: async (message) => new Uint8Array(await subtle.sign(ED25519, key, message as BufferSource)),
      publicRaw,
      seed,
    };
  },
  async importPublic(raw) {
    const key = await subtle.importKey("raw", raw as BufferSource, ED25519, true, ["verify"]);
    return async (message, signature) =>
      subtle.verify(ED25519, key, signature as BufferSource, message as BufferSource);
  },
  async sha256(data) {
    return new Uint8Array(await subtle.digest("SHA-256", data as BufferSource));
  },
};
