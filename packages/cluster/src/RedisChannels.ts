import type { Redis } from 'ioredis';
import type { Unsubscribe } from './CoordinatorTypes.js';
import { checkChannel, encodeMessage } from './coordinatorInput.js';
import { type CoordinatorLog, unavailable } from './redisConnection.js';

type Handler = (message: unknown) => void;

interface Subscription {
  handlers: Set<Handler>;
  /** The SUBSCRIBE in flight: a second subscriber to the channel waits for it too. */
  ready: Promise<void>;
}

/**
 * Cluster-wide fan-out over Redis pub/sub. Publishing uses the coordinator's command
 * connection; subscriptions live on a connection of their own (a subscribed Redis
 * connection can do nothing else), which ioredis re-subscribes after a reconnect.
 */
export class RedisChannels {
  readonly #subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: CoordinatorLog,
  ) {
    subscriber.on('message', (channel: string, text: string) => this.#deliver(channel, text));
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const name = this.prefix + checkChannel(channel);
    const text = encodeMessage(message);
    await this.publisher.publish(name, text).catch((error: unknown) => {
      throw unavailable(error);
    });
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    const name = this.prefix + checkChannel(channel);
    let subscription = this.#subscriptions.get(name);
    if (!subscription) {
      const ready = this.subscriber.subscribe(name).then(() => undefined);
      subscription = { handlers: new Set(), ready };
      this.#subscriptions.set(name, subscription);
      const created = subscription;
      ready.catch(() => {
        if (this.#subscriptions.get(name) === created) this.#subscriptions.delete(name);
      });
    }
    try {
      await subscription.ready;
    } catch (error) {
      throw unavailable(error);
    }
    subscription.handlers.add(handler);
    const held = subscription;
    return async () => {
      held.handlers.delete(handler);
      if (held.handlers.size > 0 || this.#subscriptions.get(name) !== held) return;
      this.#subscriptions.delete(name);
      // If Redis is down now, the channel stays subscribed; its messages then find no handler.
      await this.subscriber.unsubscribe(name).catch((error: unknown) => {
        this.log.warn({ channel, err: String(error) }, 'could not unsubscribe from channel');
      });
    };
  }

  #deliver(name: string, text: string): void {
    const subscription = this.#subscriptions.get(name);
    if (!subscription) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.log.warn({ channel: name.slice(this.prefix.length), bytes: text.length }, 'dropped a malformed cluster message');
      return;
    }
    for (const handler of [...subscription.handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.log.warn({ channel: name.slice(this.prefix.length), err: String(error) }, 'cluster message handler threw');
      }
    }
  }

  clear(): void {
    this.#subscriptions.clear();
  }
}
