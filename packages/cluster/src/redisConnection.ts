import { TandemError } from '@tandem/protocol';
import { Redis, type RedisOptions } from 'ioredis';

export interface CoordinatorLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Reconnect attempts back off to this and then keep going, forever. */
const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * Options that make Redis trouble visible at once instead of queueing work behind it:
 * a command issued while disconnected, or in flight when the link drops, fails right
 * away, and the caller turns that into COORDINATION_UNAVAILABLE.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  // Subscriptions come back by themselves after a reconnect.
  autoResubscribe: true,
};

/**
 * One connection to Redis that logs an outage once when it starts and once when it ends,
 * not on every failed reconnect attempt.
 */
export function openRedis(url: string, role: string, log: CoordinatorLog): Redis {
  const client = new Redis(url, { ...FAIL_FAST, connectionName: `tandem-${role}` });
  let lastError: string | undefined;
  let up = false;
  let lost = false;
  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  client.on('ready', () => {
    if (lost) log.info({ role }, 'redis connection restored');
    up = true;
    lost = false;
  });
  client.on('close', () => {
    if (!up) return;
    up = false;
    lost = true;
    log.warn({ role, err: lastError }, 'redis connection lost; reconnecting');
  });
  return client;
}

export function isReady(client: Redis): boolean {
  return client.status === 'ready';
}

/** Resolves when the client is ready, or rejects after `timeoutMs`. */
export async function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (isReady(client)) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new TandemError('COORDINATION_UNAVAILABLE', 'redis did not become ready in time'));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** Any failure talking to Redis (down, loading, read-only replica, timeout) is one code to callers. */
export function unavailable(error: unknown): TandemError {
  if (error instanceof TandemError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TandemError('COORDINATION_UNAVAILABLE', `cluster coordination unavailable: ${reason}`);
}

/** Quits politely when connected; either way, stops reconnecting. */
export async function shutRedis(client: Redis): Promise<void> {
  if (isReady(client)) await client.quit().catch(() => undefined);
  client.disconnect();
}
