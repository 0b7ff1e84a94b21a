import type { Bus, StreamEvent, Unsubscribe } from './bus.js';

type Handler = (event: StreamEvent) => void;

/** In-process bus for a single server node (the embedded default). */
export function createMemoryBus(onHandlerError: (err: unknown) => void = () => undefined): Bus {
  const handlers = new Map<string, Set<Handler>>();
  return {
    publish(topic, event) {
      for (const handler of [...(handlers.get(topic) ?? [])]) {
        try {
          handler(event);
        } catch (err) {
          onHandlerError(err);
        }
      }
    },
    subscribe(topic, handler): Unsubscribe {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const own: Handler = (e) => {
        handler(e);
      };
      set.add(own);
      return () => {
        const current = handlers.get(topic);
        current?.delete(own);
        if (current?.size === 0) handlers.delete(topic);
      };
    },
  };
}
