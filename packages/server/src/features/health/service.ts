/** Whether the server can do its work: for now, whether the database answers. */
import { P2Error } from "../../http/errors.js";
import type { Storage } from "../../storage/storage.js";
import type { HealthStatus } from "./schemas.js";

export class HealthService {
  constructor(private readonly database: Pick<Storage, "ping">) {}

  /** Resolves `{status: "ok"}`; throws 503 `P2CORE_UNAVAILABLE` when the database does not answer. */
  async check(): Promise<HealthStatus> {
    try {
      await this.database.ping();
    } catch (cause) {
      throw new P2Error(503, "P2CORE_UNAVAILABLE", "the database does not answer", { cause });
    }
    return { status: "ok" };
  }
}
