/** Discoverable services [core §9]: which providers an actor uses for each service. */
import { type ApiCaller, jsonOf } from "../http/api.js";

export interface ServiceProvider {
  /** The service's namespace, e.g. `polyproto-chat`. */
  readonly service: string;
  /** Base URL of the provider. */
  readonly url: string;
  readonly primary: boolean;
}

export interface PrimaryChange {
  readonly service: string;
  readonly newPrimary: string;
}

export class ServicesApi {
  constructor(
    private readonly caller: ApiCaller,
    private readonly home: string,
  ) {}

  /**
   * `POST /services`: makes a provider discoverable. Becoming primary over an existing primary is
   * sensitive (pass `password`); the first provider of a service is always primary.
   */
  async register(
    provider: { service: string; url: string; primary?: boolean },
    password?: string,
  ): Promise<ServiceProvider> {
    const answer = await this.caller.call(this.home, {
      method: "POST",
      path: "v1/services",
      json: { service: provider },
      sensitive: password,
    });
    return jsonOf(answer, this.home, "register service");
  }

  /** `DELETE /services`: removes providers (all or none); sensitive when a primary changes. */
  async unregister(
    providers: readonly { service: string; url: string }[],
    password?: string,
  ): Promise<PrimaryChange[]> {
    const answer = await this.caller.call(this.home, {
      method: "DELETE",
      path: "v1/services",
      query: { name: providers.map((p) => p.service), url: providers.map((p) => p.url) },
      sensitive: password,
    });
    const changes = jsonOf<{ service: string; new_primary: string }[]>(
      answer,
      this.home,
      "unregister services",
    );
    return changes.map((change) => ({ service: change.service, newPrimary: change.new_primary }));
  }

  /** `PUT /services/primary` (sensitive): [previous primary (when it changed), new primary]. */
  async setPrimary(service: string, url: string, password: string): Promise<ServiceProvider[]> {
    const answer = await this.caller.call(this.home, {
      method: "PUT",
      path: "v1/services/primary",
      json: { name: service, url },
      sensitive: password,
    });
    return jsonOf(answer, this.home, "set primary service");
  }

  /** `GET /services/discover/{fid}[/{service}]` on the actor's home server; none: `[]`. */
  async discover(
    fid: string,
    options: { service?: string; limit?: number } = {},
  ): Promise<ServiceProvider[]> {
    const domain = fid.slice(fid.lastIndexOf("@") + 1);
    const service = options.service === undefined ? "" : `/${encodeURIComponent(options.service)}`;
    const answer = await this.caller.call(domain, {
      method: "GET",
      path: `v1/services/discover/${encodeURIComponent(fid)}${service}`,
      query: { limit: options.limit },
      auth: false,
    });
    return answer.status === 204 ? [] : jsonOf(answer, domain, "discover services");
  }
}
