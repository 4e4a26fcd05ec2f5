/**
 * What the key trial learns about a cert and can keep: the parsed cert (parsing an ID-Cert costs far
 * more than the rest of an authentication), and that it chains to a given root of its home server and
 * passed `validateIdCert`. A foreign actor presents the same cert at every authentication while it
 * lives, so both are remembered by the PEM text, bounded, the least recently used going first.
 *
 * Nothing here is time- or revocation-dependent: callers still check the validity window, the challenge
 * signature and the home server's word on revocation at every authentication.
 */
import { type ActorIdCert, type IdCert, parseIdCert } from "@p2chat/polyproto";
import { BoundedMap } from "../../boundedMap.js";

const LIMIT = 4096;

export class VerifiedCerts {
  private readonly parsed = new BoundedMap<IdCert>(LIMIT);
  private readonly validated = new BoundedMap<ActorIdCert>(LIMIT);

  /** `parseIdCert`, once per PEM text (failures are not remembered: they throw every time). */
  async parse(pem: string): Promise<IdCert> {
    const known = this.parsed.get(pem);
    if (known) return known;
    const cert = await parseIdCert(pem);
    this.parsed.set(pem, cert);
    return cert;
  }

  /** The cert as validated against the home server whose current root has `rootSerial`, if it was. */
  validatedUnder(pem: string, rootSerial: string): ActorIdCert | undefined {
    return this.validated.get(`${rootSerial}\n${pem}`);
  }

  rememberValidated(pem: string, rootSerial: string, cert: ActorIdCert): void {
    this.validated.set(`${rootSerial}\n${pem}`, cert);
  }
}
