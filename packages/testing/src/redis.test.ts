import { afterAll, describe, expect, it } from 'vitest';
import { redisCommand as command, startRedis, type TestRedis } from '@tandem/testing/redis';

describe('startRedis', () => {
  let redis: TestRedis;
  afterAll(() => redis?.destroy());

  it('keeps what was written across a stop and start (AOF)', async () => {
    redis = await startRedis();
    expect(await command(redis.port, 'SET', 'k', 'v1')).toBe('+OK\r\n');
    await redis.stop();
    await redis.start();
    expect(await command(redis.port, 'GET', 'k')).toBe('$2\r\nv1\r\n');
  });
});
