/**
 * Encrypted private key material on the home server [core §6.3]: one element per ID-Cert. Serials
 * travel as JSON integers on the server's side (OpenAPI `EncryptedPKM`); they reach 2^63, past what
 * JavaScript numbers hold, so we send decimal strings (the server accepts them) and read the
 * integers' digits exactly.
 */
import { type ApiCaller, jsonOf } from "../http/api.js";

export interface EncryptedKeyMaterial {
  /** The encrypted private key (PrivateKeyInfo), PEM or base64. */
  readonly key_data: string;
  /** Serial of one of the caller's ID-Certs, decimal. */
  readonly serialNumber: string;
  /** OIDs, outermost encryption first. */
  readonly encryptionAlgorithms: readonly string[];
}

/** Quotes the number token of every `"serialNumber"` member, so JSON.parse keeps every digit. */
function quoteSerialNumbers(json: string): string {
  return json.replace(/("serialNumber"\s*:\s*)(-?[0-9][0-9eE+.-]*)/g, '$1"$2"');
}

export class KeyMaterialApi {
  constructor(
    private readonly caller: ApiCaller,
    private readonly home: string,
  ) {}

  /** `POST /session/keymaterial`: 409 when material for a serial exists, 413 over the size limit. */
  async upload(elements: readonly EncryptedKeyMaterial[]): Promise<void> {
    await this.caller.call(this.home, { method: "POST", path: "v1/session/keymaterial", json: elements });
  }

  /** `GET /session/keymaterial`: of some serials, or all; none: `[]`. */
  async get(serials?: readonly string[]): Promise<EncryptedKeyMaterial[]> {
    const answer = await this.caller.call(this.home, {
      method: "GET",
      path: "v1/session/keymaterial",
      query: { serials },
    });
    if (answer.status === 204) return [];
    return jsonOf<EncryptedKeyMaterial[]>(
      { ...answer, text: quoteSerialNumbers(answer.text) },
      this.home,
      "key material",
    );
  }

  /** `DELETE /session/keymaterial` (sensitive). */
  async delete(serials: readonly string[], password: string): Promise<void> {
    await this.caller.call(this.home, {
      method: "DELETE",
      path: "v1/session/keymaterial",
      query: { serials },
      sensitive: password,
    });
  }

  /** `GET /session/keymaterial/size`: the largest element the server accepts, in bytes. */
  async sizeLimit(): Promise<number> {
    const answer = await this.caller.call(this.home, {
      method: "GET",
      path: "v1/session/keymaterial/size",
      auth: false,
    });
    return Number(answer.headers.get("x-max-payload-size"));
  }
}
