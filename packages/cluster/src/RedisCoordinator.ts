import { TandemError } from '@tandem/protocol';
import type { Redis } from 'ioredis';
import type {
  Coordinator,
  HeartbeatReply,
  RoomPlacement,
  SfuNodeHeartbeat,
  SfuNodeRecord,
  Unsubscribe,
} from './CoordinatorTypes.js';
import { checkHeartbeat, checkId, checkRequestedState, checkRosterValue, parseNodeRecord } from './coordinatorInput.js';
import { ROSTER_TTL_MS, isLive, pickNode, placementView } from './placement.js';
import { RedisChannels } from './RedisChannels.js';
import { type CoordinatorLog, isReady, openRedis, shutRedis, unavailable, whenReady } from './redisConnection.js';
import { type ScriptedRedis, withScripts } from './redisScripts.js';

export type { CoordinatorLog } from './redisConnection.js';

export interface RedisCoordinatorOptions {
  url: string;
  /** Namespaces every key and channel, so several deployments (or tests) share one Redis. */
  keyPrefix?: string;
  now?: () => number;
  log?: CoordinatorLog;
  /** How long `connect` waits for Redis before giving up with COORDINATION_UNAVAILABLE. */
  connectTimeoutMs?: number;
}

const consoleLog: CoordinatorLog = {
  warn: (obj, msg) => console.warn(msg, obj),
  info: () => undefined,
};

/**
 * Cluster coordination in Redis. Node records, drain requests and the per-node count of
 * rooms claimed since its last heartbeat share the `{nodes}` hash tag; each room's
 * placement and rosters share `{room:<id>}`; so every script stays within one slot.
 * Placement picks in JS, then claims with a compare-and-set script on the room's key.
 */
export class RedisCoordinator implements Coordinator {
  readonly #redis: ScriptedRedis;
  readonly #subscriber: Redis;
  readonly #channels: RedisChannels;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #log: CoordinatorLog;
  /** The bad value last reported per node id, so a garbage record is logged once, not per read. */
  readonly #reportedGarbage = new Map<string, string>();
  #closed = false;

  private constructor(redis: Redis, subscriber: Redis, options: RedisCoordinatorOptions) {
    this.#redis = withScripts(redis);
    this.#subscriber = subscriber;
    this.#prefix = options.keyPrefix ?? 'tandem:';
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? consoleLog;
    this.#channels = new RedisChannels(redis, subscriber, this.#prefix, this.#log);
  }

  /** Connects both connections (commands, subscriptions); rejects with COORDINATION_UNAVAILABLE if Redis stays away. */
  static async connect(options: RedisCoordinatorOptions): Promise<RedisCoordinator> {
    const log = options.log ?? consoleLog;
    const redis = openRedis(options.url, 'commands', log);
    const subscriber = openRedis(options.url, 'subscriptions', log);
    try {
      const timeoutMs = options.connectTimeoutMs ?? 10_000;
      await Promise.all([whenReady(redis, timeoutMs), whenReady(subscriber, timeoutMs)]);
    } catch (error) {
      await Promise.all([shutRedis(redis), shutRedis(subscriber)]);
      throw unavailable(error);
    }
    return new RedisCoordinator(redis, subscriber, options);
  }

  get available(): boolean {
    return !this.#closed && isReady(this.#redis) && isReady(this.#subscriber);
  }

  async heartbeat(record: SfuNodeHeartbeat): Promise<HeartbeatReply> {
    const heartbeat = checkHeartbeat(record);
    const text = JSON.stringify({ ...heartbeat, updatedAt: this.#now() });
    const requested = await this.#run(() =>
      this.#redis.tandemHeartbeat(this.#key('records'), this.#key('claims'), this.#key('requested'), heartbeat.nodeId, text),
    );
    return { requestedState: requested === 'SERVING' || requested === 'DRAINING' ? requested : null };
  }

  async removeNode(nodeId: string): Promise<void> {
    checkId('nodeId', nodeId);
    // Drain requests stay: a node that comes back still gets what ops asked of it.
    await this.#run(() =>
      Promise.all([this.#redis.hdel(this.#key('records'), nodeId), this.#redis.hdel(this.#key('claims'), nodeId)]),
    );
  }

  async listNodes(): Promise<SfuNodeRecord[]> {
    const [raw, requested] = await this.#run(() =>
      Promise.all([this.#redis.hgetall(this.#key('records')), this.#redis.hgetall(this.#key('requested'))]),
    );
    const now = this.#now();
    return this.#parseRecords(raw)
      .filter((n) => isLive(n, now))
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId))
      .map((n) => withRequested(n, requested[n.nodeId]));
  }

  async requestNodeState(nodeId: string, state: 'SERVING' | 'DRAINING'): Promise<void> {
    checkId('nodeId', nodeId);
    const requested = checkRequestedState(state);
    await this.#run(() => this.#redis.hset(this.#key('requested'), nodeId, requested));
  }

  async placeRoom(roomId: string): Promise<RoomPlacement> {
    return this.#claim(checkId('roomId', roomId), null);
  }

  async movePlacement(roomId: string, fromNodeId: string): Promise<RoomPlacement> {
    return this.#claim(checkId('roomId', roomId), checkId('nodeId', fromNodeId));
  }

  /** Keeps a claim on a live node (other than `excluded`), else claims the best other node. */
  async #claim(roomId: string, excluded: string | null): Promise<RoomPlacement> {
    const [current, nodes, requested, claims] = await this.#run(() =>
      Promise.all([
        this.#readPlacement(roomId),
        this.#redis.hgetall(this.#key('records')),
        this.#redis.hgetall(this.#key('requested')),
        this.#redis.hgetall(this.#key('claims')),
      ]),
    );
    const now = this.#now();
    const candidates = this.#parseRecords(nodes).filter((n) => isLive(n, now) && n.nodeId !== excluded);
    const keepOn = candidates.map((n) => n.nodeId);
    if (current && keepOn.includes(current.nodeId)) return current;

    const claimCounts = new Map(Object.entries(claims).map(([id, count]) => [id, Number(count) || 0]));
    const node = pickNode(placementView(candidates, new Map(Object.entries(requested)), claimCounts), now);
    if (!node) throw new TandemError('NO_CAPACITY', 'no media node can take this call right now');

    // The script keeps whatever claim another caller made meanwhile on a node in `keepOn`.
    const [nodeId, placedAt, won] = await this.#run(() =>
      this.#redis.tandemClaimRoom(this.#roomKey(roomId, 'placement'), node.nodeId, now, ...keepOn),
    );
    if (won === 1) {
      // A load hint only; losing it to an outage just makes the next pick less informed.
      await this.#redis.hincrby(this.#key('claims'), nodeId, 1).catch(() => undefined);
    }
    return { roomId, nodeId, placedAt: Number(placedAt) };
  }

  async getPlacement(roomId: string): Promise<RoomPlacement | null> {
    checkId('roomId', roomId);
    return this.#run(() => this.#readPlacement(roomId));
  }

  async #readPlacement(roomId: string): Promise<RoomPlacement | null> {
    const [nodeId, placedAt] = await this.#redis.hmget(this.#roomKey(roomId, 'placement'), 'nodeId', 'placedAt');
    if (!nodeId) return null;
    return { roomId, nodeId, placedAt: Number(placedAt) || 0 };
  }

  async releaseRoom(roomId: string, nodeId: string): Promise<void> {
    checkId('roomId', roomId);
    checkId('nodeId', nodeId);
    await this.#run(() => this.#redis.tandemReleaseRoom(this.#roomKey(roomId, 'placement'), nodeId));
  }

  async rosterPut(roomId: string, generation: string, field: string, value: string): Promise<void> {
    const key = this.#rosterKey(roomId, generation);
    checkId('field', field);
    checkRosterValue(value);
    await this.#run(() => this.#redis.tandemRosterPut(key, field, value, ROSTER_TTL_MS));
  }

  async rosterDelete(roomId: string, generation: string, field: string): Promise<void> {
    const key = this.#rosterKey(roomId, generation);
    checkId('field', field);
    await this.#run(() => this.#redis.hdel(key, field));
  }

  async rosterList(roomId: string, generation: string): Promise<Record<string, string>> {
    const key = this.#rosterKey(roomId, generation);
    return this.#run(() => this.#redis.hgetall(key));
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.#assertOpen();
    await this.#channels.publish(channel, message);
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    this.#assertOpen();
    return this.#channels.subscribe(channel, handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    await Promise.all([shutRedis(this.#redis), shutRedis(this.#subscriber)]);
  }

  #key(name: 'records' | 'claims' | 'requested'): string {
    return `${this.#prefix}{nodes}:${name}`;
  }

  #roomKey(roomId: string, name: string): string {
    return `${this.#prefix}{room:${roomId}}:${name}`;
  }

  #rosterKey(roomId: string, generation: string): string {
    return this.#roomKey(checkId('roomId', roomId), `roster:${checkId('generation', generation)}`);
  }

  /** Valid records; each garbage one is reported once per distinct bad value and skipped. */
  #parseRecords(raw: Record<string, string>): SfuNodeRecord[] {
    const records: SfuNodeRecord[] = [];
    for (const [nodeId, text] of Object.entries(raw)) {
      const record = parseNodeRecord(nodeId, text);
      if (record) {
        records.push(record);
        this.#reportedGarbage.delete(nodeId);
      } else if (this.#reportedGarbage.get(nodeId) !== text) {
        this.#reportedGarbage.set(nodeId, text);
        this.#log.warn({ nodeId, record: text.slice(0, 200) }, 'skipping malformed SFU node record');
      }
    }
    return records;
  }

  #assertOpen(): void {
    if (this.#closed) throw new TandemError('COORDINATION_UNAVAILABLE', 'coordinator is closed');
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await command();
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function withRequested(node: SfuNodeRecord, requested: string | undefined): SfuNodeRecord {
  return requested === 'SERVING' || requested === 'DRAINING' ? { ...node, requestedState: requested } : node;
}
