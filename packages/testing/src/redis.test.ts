import { afterAll, describe, expect, it } from 'vitest';
import { createConnection } from 'node:net';
import { startRedis, type TestRedis } from '@tandem/testing/redis';

/** Speaks just enough RESP to SET/GET, so the helper is tested without a client library. */
async function command(port: number, ...args: string[]): Promise<string> {
  const wire = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write(wire));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

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
