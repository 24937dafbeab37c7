import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type TestRedis } from '@tandem/testing/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { openSupportDomain } from './SupportDomain.js';
import { supportDomainContract } from './supportDomain.contract.js';
import type { SupportLog } from './SupportTypes.js';

const secret = 'contract-test-secret-0123456789-abcdef';
const log: SupportLog = { warn: () => undefined };

supportDomainContract('memory', async () => ({
  open: (options) => openSupportDomain({ secret, log, ...options }),
  shared: false,
  dispose: async () => undefined,
}));

supportDomainContract('file', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-contract-'));
  return {
    open: (options) => openSupportDomain({ secret, log, dataDir, ...options }),
    shared: true,
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
});

let redis: TestRedis;
let admin: Redis;
beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  await admin?.quit();
  await redis?.destroy();
});

supportDomainContract('redis', async () => {
  await admin.flushall(); // each test starts from an empty store
  return {
    open: (options) => openSupportDomain({ secret, log, redisUrl: redis.url, ...options }),
    shared: true,
    dispose: async () => undefined,
  };
});
