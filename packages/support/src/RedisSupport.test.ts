import { freePort, startRedis, type TestRedis } from '@tandem/testing/redis';
import { TandemError } from '@tandem/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENDED_RETENTION_MS, sessionKeys } from './RedisKeys.js';
import { RedisLink } from './RedisLink.js';
import { openSupportDomain, type SupportDomain } from './SupportDomain.js';
import type { SupportLog } from './SupportTypes.js';
import { line } from './supportDomain.contract.js';
import { codeOf } from '@tandem/protocol/testkit';

const secret = 'redis-test-secret-0123456789-abcdefgh';
const log: SupportLog = { warn: () => undefined };

let redis: TestRedis;
let admin: Redis;
/** Two domains on one Redis: what two signaling processes are. */
let a: SupportDomain;
let b: SupportDomain;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  admin.on('error', () => undefined); // it is down on purpose in the outage test
  await admin.connect();
});
afterAll(async () => {
  admin.disconnect();
  await redis.destroy();
});
beforeEach(async () => {
  await admin.flushall();
  a = await openSupportDomain({ secret, log, redisUrl: redis.url });
  b = await openSupportDomain({ secret, log, redisUrl: redis.url });
  return async () => {
    await Promise.all([a.close(), b.close()]);
  };
});

async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('support domain on Redis, two processes', () => {
  it('an agent added and a code created on one process are usable on the other', async () => {
    const sam = await a.agents.addAgent({ email: 'sam@help.io', displayName: 'Sam', password: 'a long password' });
    expect(await b.agents.verify('sam@help.io', 'a long password')).toEqual(sam);
    const session = await b.sessions.create(sam.agentId);
    expect(await a.sessions.redeemJoinCode(session.joinCode)).toEqual(session);
    expect((await a.sessions.markActive(session.sessionId)).state).toBe('active');
    expect((await b.sessions.get(session.sessionId)).state).toBe('active');
    expect((await a.sessions.listForAgent(sam.agentId)).map((s) => s.sessionId)).toEqual([session.sessionId]);
  });

  it('the same email added on both at once yields one account', async () => {
    const results = await Promise.allSettled([
      a.agents.addAgent({ email: 'kim@help.io', displayName: 'Kim A', password: 'a long password' }),
      b.agents.addAgent({ email: 'kim@help.io', displayName: 'Kim B', password: 'a long password' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['BAD_STATE']);
    expect(await a.agents.list()).toHaveLength(1);
  });

  it('20 lines sent alternately, each retried on the other process at once: each stored once, in order, seen by both', async () => {
    const sid = 'ses_race';
    const texts = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    for (const [i, text] of texts.entries()) {
      const [sender, retrier] = i % 2 === 0 ? [a, b] : [b, a];
      const [sent, retried, again] = await Promise.all([
        sender.chat.append(sid, line(text, `c${i}`)),
        retrier.chat.append(sid, line(text, `c${i}`)),
        sender.chat.append(sid, line(text, `c${i}`)),
      ]);
      expect(retried).toEqual(sent);
      expect(again).toEqual(sent);
    }
    const fromA = await a.chat.list(sid);
    expect(fromA.map((m) => m.text)).toEqual(texts);
    expect(await b.chat.list(sid)).toEqual(fromA);
    expect(await admin.llen(sessionKeys(sid).chat)).toBe(20);
  });

  it('ended on one process is ended on the other; racing ends keep one reason', async () => {
    const session = await a.sessions.create('agt_1');
    await b.sessions.markActive(session.sessionId);
    const [byAgent, byShutdown] = await Promise.all([
      a.sessions.end(session.sessionId, 'ended-by-agent'),
      b.sessions.end(session.sessionId, 'server-shutdown'),
    ]);
    expect(byShutdown).toEqual(byAgent);
    expect(await b.sessions.get(session.sessionId)).toEqual(byAgent);
    expect(await codeOf(b.sessions.redeemJoinCode(session.joinCode))).toBe('SESSION_ENDED');
    expect(await codeOf(b.sessions.markActive(session.sessionId))).toBe('SESSION_ENDED');
  });

  it('an ended session’s record and transcript are kept for the retention time, then dropped by Redis', async () => {
    const session = await a.sessions.create('agt_1');
    await a.chat.append(session.sessionId, line('hi', 'c1'));
    const keys = sessionKeys(session.sessionId);
    expect(await admin.pttl(keys.session)).toBe(-1);
    await b.sessions.end(session.sessionId, 'ended-by-agent');
    for (const key of [keys.session, keys.chat, keys.chatIds]) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(ENDED_RETENTION_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(ENDED_RETENTION_MS);
    }
  });

  it('expireStale run on both processes at once ends each stale session once', async () => {
    let now = 1_000;
    const clock = () => now;
    const [p, q] = await Promise.all([1, 2].map(() => openSupportDomain({ secret, log, redisUrl: redis.url, clock, codeTtlMs: 100 })));
    const stale = await Promise.all(Array.from({ length: 5 }, () => p!.sessions.create('agt_1')));
    now += 100;
    const [fromP, fromQ] = await Promise.all([p!.sessions.expireStale(), q!.sessions.expireStale()]);
    expect([...fromP, ...fromQ].map((s) => s.sessionId).sort()).toEqual(stale.map((s) => s.sessionId).sort());
    await Promise.all([p!.close(), q!.close()]);
  });
});

describe('Redis outages', () => {
  it('Redis down: calls fail fast with COORDINATION_UNAVAILABLE; back up: works, and every acknowledged line survived (AOF)', async () => {
    const session = await a.sessions.create('agt_1');
    const acknowledged = [];
    for (let i = 0; i < 10; i++) acknowledged.push(await (i % 2 ? a : b).chat.append(session.sessionId, line(`before ${i}`, `c${i}`)));

    await redis.kill(); // SIGKILL: only what was fsync'd survives
    const started = Date.now();
    const outcomes = await Promise.all([
      codeOf(a.chat.append(session.sessionId, line('during', 'c-during'))),
      codeOf(b.chat.list(session.sessionId)),
      codeOf(a.sessions.end(session.sessionId, 'ended-by-agent')),
      codeOf(b.sessions.create('agt_1')),
      codeOf(a.sessions.redeemJoinCode(session.joinCode)),
      codeOf(b.agents.list()),
    ]);
    expect(outcomes).toEqual(Array(outcomes.length).fill('COORDINATION_UNAVAILABLE'));
    expect(Date.now() - started).toBeLessThan(1_000);

    await redis.start();
    const listed = await eventually(() => b.chat.list(session.sessionId));
    expect(listed).toEqual(acknowledged);
    // Nothing attempted during the outage landed, and both processes work again.
    expect((await eventually(() => a.sessions.get(session.sessionId))).state).toBe('waiting');
    const after = await a.chat.append(session.sessionId, line('after', 'c-after'));
    expect(await b.chat.list(session.sessionId)).toEqual([...acknowledged, after]);
  });

  it('opening against a Redis that is not there fails with COORDINATION_UNAVAILABLE', async () => {
    const port = await freePort();
    const error = await RedisLink.open(`redis://127.0.0.1:${port}`, log, { connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect((error as TandemError).code).toBe('COORDINATION_UNAVAILABLE');
  });
});
