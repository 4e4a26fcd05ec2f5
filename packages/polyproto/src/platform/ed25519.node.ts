import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { fromBase64, toBase64Url } from "../bytes.js";
import type { Ed25519Platform } from "./ed25519.js";

function rawPublic(jwkX: string | undefined): Uint8Array {
  const raw = jwkX === undefined ? undefined : fromBase64(jwkX);
  if (raw === undefined || raw.length !== 32) throw new Error("platform returned no Ed25519 public key");
  return raw;
}

export const platform: Ed25519Platform = {
  async generate() {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    return {
      pkcs8: new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" })),
      publicRaw: rawPublic(publicKey.export({ format: "jwk" }).x),
    };
  },
  async importPrivate(pkcs8) {
    const key = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
    if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 private key");
    const jwk = key.export({ format: "jwk" });
    const seed = rawPublic(jwk.d);
    return {
      sign: async (message) => new Uint8Array(sign(null, message, key)),
      publicRaw: rawPublic(jwk.x),
      seed,
    };
  },
  async importPublic(raw) {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: toBase64Url(raw) }, format: "jwk" });
    return async (message, signature) => verify(null, message, key, signature);
  },
  async sha256(data) {
    return new Uint8Array(createHash("sha256").update(data).digest());
  },
};
