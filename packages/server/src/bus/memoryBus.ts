/** The in-process event bus: one node, delivery by a synchronous call per published event. */
import type { BusEvent, BusListener, EventBus } from "./eventBus.js";

export class MemoryBus implements EventBus {
  private listener: BusListener | undefined;
  private readonly topics = new Set<string>();

  async publish(topic: string, event: BusEvent): Promise<void> {
    if (this.topics.has(topic)) this.listener?.(topic, event);
  }

  async subscribe(topic: string): Promise<void> {
    this.topics.add(topic);
  }

  async unsubscribe(topic: string): Promise<void> {
    this.topics.delete(topic);
  }

  listen(listener: BusListener): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    this.topics.clear();
    this.listener = undefined;
  }
}
