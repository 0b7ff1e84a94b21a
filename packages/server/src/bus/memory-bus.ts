import type { Bus, StreamEvent, Unsubscribe } from './bus.js';

type Handler = (event: StreamEvent) => void;

/**
 * In-process bus for a single server node (the embedded default). A topic's handlers are a plain
 * array rather than a Set of wrappers: most topics (a device's) have one subscriber, and at 100k
 * connected toys a Set and a wrapping closure per topic cost ~400 B each (issue #11).
 */
export function createMemoryBus(onHandlerError: (err: unknown) => void = () => undefined): Bus {
  const handlers = new Map<string, Handler[]>();
  return {
    publish(topic, event) {
      const current = handlers.get(topic);
      if (!current) return;
      // A copy: a handler may subscribe or unsubscribe while the event is delivered.
      for (const handler of current.slice()) {
        try {
          handler(event);
        } catch (err) {
          onHandlerError(err);
        }
      }
    },
    subscribe(topic, handler): Unsubscribe {
      const current = handlers.get(topic);
      if (current) current.push(handler);
      else handlers.set(topic, [handler]);
      // The same function subscribed twice is two subscriptions: each unsubscribe removes one, once.
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        const list = handlers.get(topic);
        const at = list ? list.indexOf(handler) : -1;
        if (!list || at < 0) return;
        if (list.length === 1) handlers.delete(topic);
        else list.splice(at, 1);
      };
    },
  };
}
