/**
 * Session IDs [core §6.1.1.3, PROFILE §1]: chosen by the client, 1–32 printable ASCII characters
 * (0x21–0x7E: IA5String without control characters or spaces), unique among an actor's valid certs.
 */
export const SESSION_ID = /^[\x21-\x7e]{1,32}$/;

export function isValidSessionId(sessionId: unknown): sessionId is string {
  return typeof sessionId === "string" && SESSION_ID.test(sessionId);
}
