import { createHash } from 'node:crypto';
import { TandemError } from '@tandem/protocol';
import { Redis } from 'ioredis';
import type { SupportLog } from './SupportTypes.js';

export interface RedisLinkOptions {
  /** How long `open` waits for the first connection. */
  connectTimeoutMs?: number;
  /** A command Redis doesn't answer in this time fails (it may still apply: every write here is safe to retry). */
  commandTimeoutMs?: number;
}

/** Replies that mean "Redis can't serve right now", not "the request is wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/;

export function coordinationUnavailable(): TandemError {
  return new TandemError('COORDINATION_UNAVAILABLE', 'the support store (Redis) is unreachable; try again shortly');
}

function asTandemError(error: unknown): unknown {
  if (error instanceof TandemError) return error;
  const reply = error instanceof Error && error.name === 'ReplyError';
  if (reply && !TRANSIENT_REPLY.test(error.message)) return error; // a bug in a script or a key type: surface it
  return coordinationUnavailable();
}

/** A Lua script run by its SHA, loaded again when Redis lost its script cache (e.g. after a restart). */
export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/**
 * The support domain's one Redis connection. While Redis is unreachable every call fails
 * at once with COORDINATION_UNAVAILABLE (no offline queue: a change must not land
 * minutes later behind the caller's back); it reconnects by itself.
 */
export class RedisLink {
  #warned = false;

  private constructor(
    readonly client: Redis,
    readonly log: SupportLog,
  ) {
    client.on('error', (error: Error) => {
      if (this.#warned) return; // one warning per outage, not one per reconnect attempt
      this.#warned = true;
      log.warn({ error: error.message }, 'Redis unreachable; support operations fail until it is back');
    });
    client.on('ready', () => {
      this.#warned = false;
    });
  }

  static async open(url: string, log: SupportLog, options: RedisLinkOptions = {}): Promise<RedisLink> {
    const client = new Redis(url, {
      enableOfflineQueue: false,
      // A command in flight when the connection drops fails instead of being replayed later.
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      connectTimeout: 2_000,
      retryStrategy: (attempt: number) => Math.min(50 * attempt, 1_000),
    });
    const link = new RedisLink(client, log);
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), options.connectTimeoutMs ?? 5_000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready) {
      client.disconnect();
      throw coordinationUnavailable();
    }
    return link;
  }

  /** Runs Redis work; any failure to reach Redis becomes COORDINATION_UNAVAILABLE. */
  async run<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') throw coordinationUnavailable();
    try {
      return await work(this.client);
    } catch (error) {
      throw asTandemError(error);
    }
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }
}
