/** Encrypted private key material of this server's actors [core §6.3]. */
import type { FeaturePlugin } from "../context.js";
import { useExactSerialJson } from "./exactSerialJson.js";
import { deleteKeyMaterial } from "./routes/deleteKeyMaterial.js";
import { getKeyMaterial } from "./routes/getKeyMaterial.js";
import { keyMaterialSizeLimit } from "./routes/keyMaterialSizeLimit.js";
import { uploadKeyMaterial } from "./routes/uploadKeyMaterial.js";

export const keyMaterialPlugin: FeaturePlugin = async (app, { services }) => {
  const { keyMaterial, sessions, accounts } = services;
  useExactSerialJson(app);
  uploadKeyMaterial(app, keyMaterial, sessions);
  getKeyMaterial(app, keyMaterial, sessions);
  deleteKeyMaterial(app, keyMaterial, sessions, accounts);
  keyMaterialSizeLimit(app, keyMaterial);
};
