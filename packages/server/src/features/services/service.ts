/**
 * Discoverable services [core §9]: which servers host an actor's services (polyproto-chat, MLS, …),
 * one primary provider per service [core §9.1.1]. Actors of this server register providers; anyone may
 * discover them by FID.
 *
 * Changing which provider is primary is a sensitive action [core §9.1.1]. It happens through
 * `PUT /services/primary`, and also as a side effect of registering with `primary: true` or of removing
 * the primary while other providers remain; those two ask for the sensitive solution only when they
 * would change the primary, so a stolen token cannot move an actor's service elsewhere.
 */
import { isValidServiceName, tryParseFederationId } from "@p2chat/polyproto";
import { P2Error } from "../../http/errors.js";
import type { ServiceEntry } from "../../storage/serviceStore.js";
import type { Storage } from "../../storage/storage.js";
import type { AccountService } from "../auth/service.js";
import type { Session } from "../sessions/service.js";
import { MAX_REMOVALS, SERVICE_URL_MAX_LENGTH } from "./schemas.js";

/** A provider as the API shows it (OpenAPI `Models.Service`). */
export interface ServiceProvider {
  readonly service: string;
  readonly url: string;
  readonly primary: boolean;
}

export interface ServiceRegistration {
  readonly service: string;
  readonly url: string;
  readonly primary?: boolean;
}

export interface PrimaryChange {
  readonly service: string;
  readonly new_primary: string;
}

function toProvider(entry: ServiceEntry): ServiceProvider {
  return { service: entry.service, url: entry.url, primary: entry.primary };
}

/** Checks a service name [core §8.2]; 400 `P2CORE_INVALID_SERVICE_NAME` otherwise. */
export function checkServiceName(name: string): string {
  if (isValidServiceName(name)) return name;
  throw new P2Error(
    400,
    "P2CORE_INVALID_SERVICE_NAME",
    `not a service name ([a-z0-9_-]{2,64}): ${JSON.stringify(String(name).slice(0, 80))}`,
  );
}

/**
 * Normalises a provider's base URL: http(s) only, no credentials, query or fragment; scheme and host
 * lowercased, default port and trailing slashes dropped. `https://Chat.B.test/` and
 * `https://chat.b.test` name the same provider. 400 `P2CORE_INVALID_SERVICE_URL` otherwise.
 */
export function normalizeServiceUrl(input: string): string {
  const invalid = (why: string) =>
    new P2Error(400, "P2CORE_INVALID_SERVICE_URL", `${why}: ${JSON.stringify(input.slice(0, 80))}`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid("not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("not an http(s) URL");
  if (url.username !== "" || url.password !== "") throw invalid("a service URL carries no credentials");
  if (url.search !== "" || url.hash !== "") throw invalid("a service URL has no query or fragment");
  const normalized = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  if (normalized.length > SERVICE_URL_MAX_LENGTH) throw invalid("URL too long");
  return normalized;
}

export class ServiceDiscovery {
  constructor(
    private readonly deps: {
      readonly domain: string;
      readonly storage: Pick<Storage, "services" | "transaction">;
      readonly accounts: Pick<AccountService, "exists" | "checkSensitiveSolution">;
    },
  ) {}

  /**
   * POST /services: adds a provider (409 when the actor already registered it). The first provider
   * of a service becomes primary. `primary: true` makes it primary even when another one is; that
   * needs the sensitive `solution`.
   */
  async register(
    session: Session,
    registration: ServiceRegistration,
    solution: string | undefined,
  ): Promise<ServiceProvider> {
    const service = checkServiceName(registration.service);
    const url = normalizeServiceUrl(registration.url);
    const verified = await this.verifyIfGiven(session, solution);
    return this.deps.storage.transaction(async ({ services }) => {
      const added = await services.add({ fid: session.fid, service, url, createdAt: Date.now() });
      if (!added) {
        throw new P2Error(409, "P2CORE_SERVICE_EXISTS", `${url} is already registered for ${service}`);
      }
      if (added.primary || registration.primary !== true) return toProvider(added);
      if (!verified) throw sensitiveRequired("replacing the primary provider of a service");
      const swapped = await services.setPrimary(session.fid, service, url);
      if (!swapped) throw new Error("the provider just added is gone");
      return toProvider(swapped.current);
    });
  }

  /**
   * DELETE /services: removes providers, all or none (404 when one is not registered). Where a
   * removed provider was primary and others remain, the oldest remaining one becomes primary — a
   * change of primary, so it needs the sensitive `solution`. Answers, per service whose primary
   * changed, the new primary (services left without providers have none and are not listed).
   */
  async unregister(
    session: Session,
    names: readonly string[],
    urls: readonly string[],
    solution: string | undefined,
  ): Promise<PrimaryChange[]> {
    if (names.length !== urls.length) {
      throw new P2Error(
        400,
        "P2CORE_INVALID_REQUEST",
        `name and url must list as many entries (${names.length} names, ${urls.length} urls)`,
      );
    }
    if (names.length > MAX_REMOVALS) {
      throw new P2Error(400, "P2CORE_INVALID_REQUEST", `at most ${MAX_REMOVALS} providers per request`);
    }
    const removals = new Map<string, { service: string; url: string }>();
    names.forEach((name, i) => {
      const entry = { service: checkServiceName(name), url: normalizeServiceUrl(urls[i]!) };
      removals.set(`${entry.service} ${entry.url}`, entry); // a pair listed twice is removed once
    });
    const verified = await this.verifyIfGiven(session, solution);
    return this.deps.storage.transaction(async ({ services }) => {
      const primaryRemoved = new Set<string>();
      for (const { service, url } of removals.values()) {
        const result = await services.remove(session.fid, service, url);
        if (!result) {
          throw new P2Error(404, "P2CORE_NOT_FOUND", `${url} is not registered for ${service}`);
        }
        if (result.removed.primary) primaryRemoved.add(service);
      }
      const changes: PrimaryChange[] = [];
      for (const service of primaryRemoved) {
        const primary = (await services.list(session.fid, service)).find((entry) => entry.primary);
        if (primary) changes.push({ service, new_primary: primary.url });
      }
      if (changes.length > 0 && !verified) {
        throw sensitiveRequired("removing a primary provider while others remain (it changes the primary)");
      }
      return changes;
    });
  }

  /** PUT /services/primary (sensitive, checked by the route): `[previous?, current]`. */
  async setPrimary(session: Session, name: string, urlInput: string): Promise<ServiceProvider[]> {
    const service = checkServiceName(name);
    const url = normalizeServiceUrl(urlInput);
    const result = await this.deps.storage.services.setPrimary(session.fid, service, url);
    if (!result) throw new P2Error(404, "P2CORE_NOT_FOUND", `${url} is not registered for ${service}`);
    return result.previous
      ? [toProvider(result.previous), toProvider(result.current)]
      : [toProvider(result.current)];
  }

  /**
   * GET /services/discover/{fid}[/{service}]: the actor's providers, primaries first. `limit` 1:
   * only primaries; otherwise at most `limit` entries. Empty for an actor without providers;
   * 404 for a FID that is not an actor of this server.
   */
  async discover(fidInput: string, serviceName?: string, limit?: number): Promise<ServiceProvider[]> {
    const fid = tryParseFederationId(fidInput);
    if (!fid) {
      throw new P2Error(
        400,
        "P2CORE_INVALID_FEDERATION_ID",
        `not a federation ID: ${JSON.stringify(fidInput.slice(0, 80))}`,
      );
    }
    const service = serviceName === undefined ? undefined : checkServiceName(serviceName);
    if (fid.domain !== this.deps.domain) {
      throw new P2Error(404, "P2CORE_NOT_FOUND", `${fid.fid} is not an actor of this server`);
    }
    const entries = await this.deps.storage.services.list(fid.fid, service);
    if (entries.length === 0 && !(await this.deps.accounts.exists(fid.fid))) {
      throw new P2Error(404, "P2CORE_NOT_FOUND", `${fid.fid} is not an actor of this server`);
    }
    const primaries = entries.filter((entry) => entry.primary);
    if (limit === 1) return primaries.map(toProvider);
    const ordered = [...primaries, ...entries.filter((entry) => !entry.primary)];
    return (limit === undefined ? ordered : ordered.slice(0, limit)).map(toProvider);
  }

  /** A solution that was sent is always checked (a wrong one is 403 even where none is needed). */
  private async verifyIfGiven(session: Session, solution: string | undefined): Promise<boolean> {
    if (solution === undefined || solution.length === 0) return false;
    await this.deps.accounts.checkSensitiveSolution(session.fid, solution);
    return true;
  }
}

function sensitiveRequired(what: string): P2Error {
  return new P2Error(401, "P2CORE_SENSITIVE_SOLUTION_REQUIRED", `${what} needs X-P2-Sensitive-Solution`);
}
