/**
 * Shapes of the key-material routes [core §6.3, reference/openapi polyproto.core-v1.0-beta.3
 * `Models.EncryptedPKM`]. The per-element size limit is configuration (`keyMaterialMaxBytes`) and is
 * checked by the service (413), not here (which would say 400).
 */
import { Type } from "typebox";

/** At most this many elements per upload and serials per query. */
export const MAX_ELEMENTS = 256;

/** A decimal serial as the query and the exact-serial JSON parser hand it over (leading zeros allowed). */
const DECIMAL_SERIAL = "^0*[0-9]{1,20}$";

export const EncryptedPkmInput = Type.Object(
  {
    key_data: Type.String({
      minLength: 1,
      // PEM or base64: printable ASCII and line breaks (so a stored element's length is its size).
      pattern: "^[\\x20-\\x7e\\t\\r\\n]+$",
      description: "the encrypted private key (PrivateKeyInfo), PEM",
    }),
    serialNumber: Type.Union(
      [Type.String({ maxLength: 64, pattern: DECIMAL_SERIAL }), Type.Integer({ minimum: 0 })],
      {
        description:
          "serial of one of the caller's ID-Certs (a JSON integer, read exactly; a decimal string is accepted)",
      },
    ),
    encryptionAlgorithms: Type.Array(
      Type.String({
        maxLength: 256,
        pattern: "^[0-2](\\.(0|[1-9][0-9]*))+$",
        description: "an OID, dotted decimal",
      }),
      { minItems: 1, maxItems: 16, description: "outermost encryption first" },
    ),
  },
  { additionalProperties: false },
);

export const UploadBody = Type.Array(EncryptedPkmInput, { minItems: 1, maxItems: MAX_ELEMENTS });

export const EncryptedPkm = Type.Object(
  {
    key_data: Type.String(),
    // A decimal string, not the OpenAPI file's integer: serials reach 2^63 (PROFILE §1), past what
    // JSON numbers carry exactly in JavaScript (as GET /keytrial and the signed envelope do).
    serialNumber: Type.String({ pattern: "^(0|[1-9][0-9]*)$", description: "the cert's serial, decimal" }),
    encryptionAlgorithms: Type.Array(Type.String()),
  },
  { description: "Encrypted private key material (OpenAPI Models.EncryptedPKM)" },
);

const SerialList = Type.Array(
  Type.String({ maxLength: 16384, pattern: "^0*[0-9]{1,20}(,0*[0-9]{1,20})*$" }),
  { minItems: 1, maxItems: MAX_ELEMENTS, description: "ID-Cert serials, comma-separated or repeated" },
);

export const GetQuery = Type.Object({ serials: Type.Optional(SerialList) }, { additionalProperties: false });
export const DeleteQuery = Type.Object({ serials: SerialList }, { additionalProperties: false });

export const MAX_PAYLOAD_SIZE_HEADER = "x-max-payload-size";
