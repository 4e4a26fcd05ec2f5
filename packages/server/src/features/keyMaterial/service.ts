/**
 * Encrypted private key material [core §6.3]: actors of this server park their encrypted identity
 * keys here, one element per ID-Cert, and fetch them back at any time. The server never decrypts or
 * interprets them; it checks only that each element belongs to one of the caller's own certs and stays
 * within the configured size.
 */
import { P2Error } from "../../http/errors.js";
import type { IdCertStore } from "../../storage/idCertStore.js";
import type { KeyMaterial } from "../../storage/keyMaterialStore.js";
import type { Storage } from "../../storage/storage.js";
import type { Session } from "../sessions/service.js";
import { MAX_ELEMENTS } from "./schemas.js";

/** An element as it arrives: `serialNumber` exact (a decimal string from the exact-serial parser). */
export interface EncryptedPkmInput {
  readonly key_data: string;
  readonly serialNumber: string | number;
  readonly encryptionAlgorithms: readonly string[];
}

/** An element as the API shows it (OpenAPI `Models.EncryptedPKM`, the serial as a decimal string). */
export interface EncryptedPkm {
  readonly key_data: string;
  readonly serialNumber: string;
  readonly encryptionAlgorithms: string[];
}

/** What the store keeps in `material` (it only knows opaque ASCII). */
interface StoredMaterial {
  readonly key_data: string;
  readonly encryptionAlgorithms: string[];
}

const UINT64_LIMIT = 1n << 64n;

/** A serial in canonical decimal (no leading zeros), as certs and the store spell it. */
export function canonicalSerial(input: string | number): string {
  const invalid = () =>
    new P2Error(
      400,
      "P2CORE_INVALID_REQUEST",
      `not a serial number: ${JSON.stringify(String(input).slice(0, 40))}`,
    );
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input) || input < 0) throw invalid();
    return String(input);
  }
  const digits = input.replace(/^0+(?=[0-9])/, "");
  if (!/^[0-9]{1,20}$/.test(digits)) throw invalid();
  const value = BigInt(digits);
  if (value >= UINT64_LIMIT) throw invalid();
  return value.toString();
}

/**
 * The size an element counts for: the bytes of its JSON form with the members in the OpenAPI order and
 * no whitespace, `{"key_data":…,"serialNumber":…,"encryptionAlgorithms":[…]}` (all ASCII).
 */
export function elementSize(
  key_data: string,
  serial: string,
  encryptionAlgorithms: readonly string[],
): number {
  return Buffer.byteLength(
    `{"key_data":${JSON.stringify(key_data)},"serialNumber":${serial},"encryptionAlgorithms":${JSON.stringify(encryptionAlgorithms)}}`,
  );
}

export class KeyMaterialService {
  constructor(
    private readonly deps: {
      /** Largest element, bytes (config `keyMaterialMaxBytes`). */
      readonly maxBytes: number;
      readonly idCerts: Pick<IdCertStore, "find">;
      readonly storage: Pick<Storage, "keyMaterial" | "transaction">;
    },
  ) {}

  get maxBytes(): number {
    return this.deps.maxBytes;
  }

  /**
   * POST /session/keymaterial: stores every element or none. 400 for a serial listed twice, 413 for an
   * element over the limit, 404 for a serial that is not one of the caller's certs (revoked and
   * expired ones count: their keys are what migrations need), 409 when that cert already has material.
   */
  async upload(session: Session, elements: readonly EncryptedPkmInput[], now = Date.now()): Promise<void> {
    const prepared: KeyMaterial[] = [];
    const seen = new Set<string>();
    for (const element of elements) {
      const serial = canonicalSerial(element.serialNumber);
      if (seen.has(serial)) {
        throw new P2Error(400, "P2CORE_INVALID_REQUEST", `serial ${serial} is listed twice`);
      }
      seen.add(serial);
      const size = elementSize(element.key_data, serial, element.encryptionAlgorithms);
      if (size > this.deps.maxBytes) {
        throw new P2Error(
          413,
          "P2CORE_KEY_MATERIAL_TOO_LARGE",
          `key material for serial ${serial} is ${size} bytes; this server accepts at most ${this.deps.maxBytes}`,
        );
      }
      const stored: StoredMaterial = {
        key_data: element.key_data,
        encryptionAlgorithms: [...element.encryptionAlgorithms],
      };
      prepared.push({
        fid: session.fid,
        certSerial: serial,
        material: JSON.stringify(stored),
        createdAt: now,
      });
    }
    for (const material of prepared) {
      const cert = await this.deps.idCerts.find(material.certSerial);
      // PROFILE §4: another actor's cert is "not found", like a cert that does not exist.
      if (cert?.fid !== session.fid) {
        throw new P2Error(404, "P2CORE_NOT_FOUND", `you have no ID-Cert with serial ${material.certSerial}`);
      }
    }
    await this.deps.storage.transaction(async ({ keyMaterial }) => {
      for (const material of prepared) {
        if (!(await keyMaterial.put(material))) {
          throw new P2Error(
            409,
            "P2CORE_KEY_MATERIAL_EXISTS",
            `key material for serial ${material.certSerial} is already stored; delete it first`,
          );
        }
      }
    });
  }

  /** GET /session/keymaterial: the caller's elements, of these serials or all; [] when none. */
  async list(session: Session, serials?: readonly string[]): Promise<EncryptedPkm[]> {
    const wanted = serials === undefined ? undefined : this.serialsOf(serials);
    const stored = await this.deps.storage.keyMaterial.list(session.fid, wanted);
    return stored.map((material) => {
      const { key_data, encryptionAlgorithms } = JSON.parse(material.material) as StoredMaterial;
      return { key_data, serialNumber: material.certSerial, encryptionAlgorithms };
    });
  }

  /** DELETE /session/keymaterial (sensitive): deletes all listed elements, or none (404) when one is missing. */
  async delete(session: Session, serials: readonly string[]): Promise<void> {
    const wanted = this.serialsOf(serials);
    await this.deps.storage.transaction(async ({ keyMaterial }) => {
      const existing = new Set((await keyMaterial.list(session.fid, wanted)).map((m) => m.certSerial));
      const missing = wanted.filter((serial) => !existing.has(serial));
      if (missing.length > 0) {
        throw new P2Error(404, "P2CORE_NOT_FOUND", `no key material stored for serial ${missing.join(", ")}`);
      }
      await keyMaterial.delete(session.fid, wanted);
    });
  }

  private serialsOf(serials: readonly string[]): string[] {
    if (serials.length > MAX_ELEMENTS) {
      throw new P2Error(400, "P2CORE_INVALID_REQUEST", `at most ${MAX_ELEMENTS} serials per request`);
    }
    return [...new Set(serials.map(canonicalSerial))];
  }
}
