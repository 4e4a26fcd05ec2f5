/** Service names [core §9]: 2–64 characters of `[a-z0-9_-]`. */
export const SERVICE_NAME = /^[a-z0-9_-]{2,64}$/;

export function isValidServiceName(name: unknown): name is string {
  return typeof name === "string" && SERVICE_NAME.test(name);
}
