import { MemoryCoordinator, RedisCoordinator, type Coordinator } from '@tandem/cluster';
import { RemoteSfuNode, type SfuConnector } from '@tandem/signaling';
import type { Logger } from 'pino';
import type { TandemConfig } from './config.js';

/** Redis in a cluster, memory on a single node: the same interface either way. */
export async function openCoordinator(config: TandemConfig, log: Logger): Promise<Coordinator> {
  if (!config.redisUrl) return new MemoryCoordinator();
  return RedisCoordinator.connect({ url: config.redisUrl, log: log.child({ component: 'coordinator' }) });
}

/** Signaling reaches SFU nodes of other processes over their authenticated control endpoint. */
export function sfuConnector(config: TandemConfig, log: Logger): SfuConnector | undefined {
  const secret = config.clusterSecret;
  if (!config.redisUrl || !secret) return undefined;
  return (record) =>
    RemoteSfuNode.connect({ nodeId: record.nodeId, url: record.controlUrl, secret, log: log.child({ component: 'sfu-link', sfuNodeId: record.nodeId }) });
}

/** What the SFU node of this process tells signaling to dial. */
export function controlUrlFor(config: TandemConfig, port: number): string {
  return config.controlUrl ?? `ws://127.0.0.1:${port}/control`;
}
