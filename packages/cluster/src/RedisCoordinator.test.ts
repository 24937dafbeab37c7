import { startRedis, type TestRedis } from '@tandem/testing/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Coordinator, SfuNodeHeartbeat } from './CoordinatorTypes.js';
import { RedisCoordinator, type CoordinatorLog } from './RedisCoordinator.js';
import { coordinatorContract } from './coordinator.contract.js';

let redis: TestRedis;
let raw: Redis;
const opened: Coordinator[] = [];
let prefixes = 0;

type LogLine = [obj: object, msg: string];
const quietLog = () => ({
  warn: vi.fn<(...line: LogLine) => void>(),
  info: vi.fn<(...line: LogLine) => void>(),
});

async function open(options: { keyPrefix?: string; now?: () => number; log?: CoordinatorLog; url?: string } = {}) {
  const c = await RedisCoordinator.connect({ url: redis.url, log: quietLog(), ...options });
  opened.push(c);
  return c;
}

const node = (nodeId: string, consumers = 0): SfuNodeHeartbeat => ({
  nodeId,
  controlUrl: `ws://${nodeId}:4443/control`,
  state: 'SERVING',
  maxConsumers: 100,
  load: { rooms: 0, peers: 0, consumers, cpu: 0, bitrateBps: 0 },
});

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return done();
}

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  raw?.disconnect();
  await redis?.destroy();
});

coordinatorContract('redis', async (clock) => open({ keyPrefix: `contract${++prefixes}:`, now: () => clock.now }));

describe('RedisCoordinator', () => {
  it('skips a garbage node record with one log line per bad value, and still places on good nodes', async () => {
    const log = quietLog();
    const c = await open({ keyPrefix: 'garbage:', log });
    await c.heartbeat(node('good'));
    await raw.hset('garbage:{nodes}:records', 'junk', 'not json{', 'shapeless', '{"nodeId":"shapeless"}');
    await raw.hset('garbage:{nodes}:records', 'impostor', JSON.stringify({ ...node('good'), updatedAt: Date.now() }));
    for (let i = 0; i < 3; i++) expect((await c.listNodes()).map((n) => n.nodeId)).toEqual(['good']);
    expect((await c.placeRoom('r')).nodeId).toBe('good');
    const named = log.warn.mock.calls.map(([obj]) => (obj as { nodeId: string }).nodeId).sort();
    expect(named).toEqual(['impostor', 'junk', 'shapeless']);

    await raw.hset('garbage:{nodes}:records', 'junk', '[]'); // a different bad value is news again
    await c.listNodes();
    await c.listNodes();
    expect(log.warn.mock.calls.filter(([obj]) => (obj as { nodeId: string }).nodeId === 'junk')).toHaveLength(2);
  });

  it('drops a malformed pub/sub message with a log line and keeps delivering', async () => {
    const log = quietLog();
    const c = await open({ keyPrefix: 'bus:', log });
    const got: unknown[] = [];
    await c.subscribe('room:r', (m) => got.push(m));
    await raw.publish('bus:room:r', '{oops');
    await c.publish('room:r', { ok: true });
    expect(await until(() => got.length > 0, 2_000)).toBe(true);
    expect(got).toEqual([{ ok: true }]);
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ channel: 'room:r' }), expect.stringMatching(/malformed/));
  });

  it("keeps all of a room's keys under one hash tag and gives rosters a day's TTL, refreshed on put", async () => {
    const c = await open({ keyPrefix: 'layout:' });
    await c.heartbeat(node('a'));
    await c.placeRoom('r1');
    await c.rosterPut('r1', 'g7', 'peer-1', '{}');
    const keys = (await raw.keys('layout:*')).filter((k) => k.includes('r1')).sort();
    expect(keys).toEqual(['layout:{room:r1}:placement', 'layout:{room:r1}:roster:g7']);
    const day = 24 * 60 * 60 * 1000;
    expect(await raw.pttl('layout:{room:r1}:roster:g7')).toBeGreaterThan(day - 60_000);
    await raw.pexpire('layout:{room:r1}:roster:g7', 5_000);
    await c.rosterPut('r1', 'g7', 'peer-2', '{}');
    expect(await raw.pttl('layout:{room:r1}:roster:g7')).toBeGreaterThan(day - 60_000);
  });

  it('gives each room exactly one node when three processes race 100 placements over 20 rooms (five rounds)', async () => {
    const processes = await Promise.all([1, 2, 3].map(() => open({ keyPrefix: 'race:' })));
    const sfuNodes = await open({ keyPrefix: 'race:' });
    const ids = ['n1', 'n2', 'n3', 'n4'];
    for (const id of ids) await sfuNodes.heartbeat(node(id, 10));
    // Loads keep changing under the racers, so they would pick different nodes if the claim were not atomic.
    let racing = true;
    const churn = (async () => {
      for (let i = 0; racing; i++) await sfuNodes.heartbeat(node(ids[i % 4]!, Math.floor(Math.random() * 90)));
    })();
    // Five rounds, so that a lost race cannot hide behind lucky timing.
    const answers = [];
    for (let round = 0; round < 5; round++) {
      const placed = Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, Math.random() * 8));
          return processes[i % 3]!.placeRoom(`round-${round}-room-${i % 20}`);
        }),
      );
      answers.push(...(await placed));
    }
    racing = false;
    await churn;
    const nodesByRoom = new Map<string, Set<string>>();
    for (const a of answers) nodesByRoom.set(a.roomId, (nodesByRoom.get(a.roomId) ?? new Set()).add(a.nodeId));
    expect(nodesByRoom.size).toBe(100);
    for (const [roomId, nodes] of nodesByRoom) {
      expect(nodes.size).toBe(1);
      expect((await processes[2]!.getPlacement(roomId))?.nodeId).toBe([...nodes][0]);
    }
  });
});

describe('RedisCoordinator through a Redis outage', () => {
  let flaky: TestRedis;
  beforeAll(async () => {
    flaky = await startRedis();
  });
  afterAll(async () => {
    await flaky?.destroy();
  });

  it('fails fast while Redis is down, then recovers its connection and subscriptions', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    try {
      const log = quietLog();
      const signaling = await open({ url: flaky.url, keyPrefix: 'outage:', log });
      const other = await open({ url: flaky.url, keyPrefix: 'outage:' });
      const got: unknown[] = [];
      await signaling.subscribe('room:r', (m) => got.push(m));
      await signaling.heartbeat(node('a'));
      expect(signaling.available).toBe(true);

      await flaky.stop();
      const stoppedAt = Date.now();
      await expect(signaling.placeRoom('r')).rejects.toMatchObject({ code: 'COORDINATION_UNAVAILABLE' });
      await expect(other.publish('room:r', { lost: true })).rejects.toMatchObject({ code: 'COORDINATION_UNAVAILABLE' });
      expect(await until(() => !signaling.available, 1_000)).toBe(true);
      expect(Date.now() - stoppedAt).toBeLessThan(1_000);
      await new Promise((r) => setTimeout(r, 1_500)); // several reconnect attempts fail meanwhile
      await expect(signaling.heartbeat(node('a'))).rejects.toMatchObject({ code: 'COORDINATION_UNAVAILABLE' });
      // One line per connection for the outage, not one per failed attempt.
      expect(log.warn.mock.calls.filter(([, msg]) => /lost/.test(String(msg)))).toHaveLength(2);

      await flaky.start();
      expect(await until(() => signaling.available && other.available, 5_000)).toBe(true);
      await other.publish('room:r', { after: 'outage' });
      expect(await until(() => got.length > 0, 2_000)).toBe(true);
      expect(got).toEqual([{ after: 'outage' }]);
      await signaling.heartbeat(node('a'));
      expect((await signaling.placeRoom('r')).nodeId).toBe('a');
      expect(log.info).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/restored/));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('refuses to connect, with COORDINATION_UNAVAILABLE, to a Redis that is not there', async () => {
    await expect(
      RedisCoordinator.connect({ url: 'redis://127.0.0.1:1', log: quietLog(), connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'COORDINATION_UNAVAILABLE' });
  });
});
