import type { Coordinator, SfuNodeRecord } from '@tandem/cluster';
import type { TandemConfig } from './config.js';
import { openCoordinator } from './clusterParts.js';
import { createLog } from './start.js';

const USAGE = `usage: tandem ops nodes | drain NODE_ID | resume NODE_ID   (needs REDIS_URL)`;

/** `tandem ops …`: what the /ops page does, from a shell, straight against Redis. */
export async function opsCommand(config: TandemConfig, args: string[]): Promise<number> {
  const [action, nodeId] = args;
  if (!config.redisUrl) {
    console.error('tandem ops: REDIS_URL is not set (a single node has no cluster to operate)');
    return 2;
  }
  if (action !== 'nodes' && !(action === 'drain' || action === 'resume')) {
    console.error(USAGE);
    return 2;
  }
  const coordinator = await openCoordinator(config, createLog({ ...config, logLevel: 'warn' }, 'all'));
  try {
    const nodes = await coordinator.listNodes();
    if (action === 'nodes') {
      printNodes(nodes);
      return 0;
    }
    if (!nodeId || !nodes.some((n) => n.nodeId === nodeId)) {
      console.error(`tandem ops: no live node "${nodeId ?? ''}"; live nodes: ${nodes.map((n) => n.nodeId).join(', ') || 'none'}`);
      return 1;
    }
    await coordinator.requestNodeState(nodeId, action === 'drain' ? 'DRAINING' : 'SERVING');
    console.log(`${action === 'drain' ? 'drain' : 'resume'} requested for ${nodeId}; the node acts on it within ~2 s`);
    return 0;
  } finally {
    await (coordinator as Coordinator).close();
  }
}

function printNodes(nodes: SfuNodeRecord[]): void {
  const rows = nodes.map((n) => [
    n.nodeId,
    n.state,
    String(n.load.rooms),
    String(n.load.peers),
    `${n.load.consumers}/${n.maxConsumers}`,
    `${Math.round(n.load.cpu * 100)}%`,
    `${Math.round(n.load.bitrateBps / 1000)} kbps`,
    `${Math.round((Date.now() - n.updatedAt) / 100) / 10} s`,
  ]);
  const header = ['NODE', 'STATE', 'ROOMS', 'PEERS', 'CONSUMERS', 'CPU', 'BITRATE', 'AGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}
