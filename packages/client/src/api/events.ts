/**
 * Events without a socket [core §3.3, docs/protocol.md §5]: `GET /events?after&services` returns the
 * frames after `after` from the same gateway session a socket would use (410 when no longer held).
 */
import { decodeIncoming } from "../gateway/incoming.js";
import type { DeliveredEvent } from "../gateway/events.js";
import { type ApiCaller, jsonOf } from "../http/api.js";

export class EventPollingApi {
  constructor(private readonly caller: ApiCaller) {}

  /** Frames after `after` (all held ones when absent); `services` subscribes channels (`chat`, `mls`). */
  async poll(
    domain: string,
    options: { after?: number; services?: readonly string[] } = {},
  ): Promise<DeliveredEvent[]> {
    const answer = await this.caller.call(domain, {
      method: "GET",
      path: "v1/events",
      query: { after: options.after, services: options.services },
    });
    const { events } = jsonOf<{ events: unknown[] }>(answer, domain, "events");
    const delivered: DeliveredEvent[] = [];
    for (const value of events) {
      const incoming = decodeIncoming(value);
      if (incoming.kind === "event") delivered.push(incoming.event);
    }
    return delivered;
  }
}
