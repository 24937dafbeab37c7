import type { SfuNodeRecord } from './CoordinatorTypes.js';

/** A node whose record is older than this is considered dead. Heartbeats come every ~2 s. */
export const NODE_LIVENESS_MS = 6_000;

/**
 * Load figure for placement, 0 = idle, 1 = full. Consumers are what an SFU's CPU and
 * egress actually scale with (one producer fans out to N consumers), so they dominate;
 * measured CPU catches what the count misses (simulcast, retransmissions).
 */
export function loadScore(node: SfuNodeRecord): number {
  const consumerShare = node.maxConsumers > 0 ? node.load.consumers / node.maxConsumers : 1;
  return Math.max(consumerShare, node.load.cpu);
}

export function isLive(node: SfuNodeRecord, now: number): boolean {
  return now - node.updatedAt <= NODE_LIVENESS_MS;
}

/** The SERVING, live, not-full node with the lowest load; ties go to fewer rooms, then id. */
export function pickNode(nodes: readonly SfuNodeRecord[], now: number): SfuNodeRecord | undefined {
  return nodes
    .filter((n) => n.state === 'SERVING' && isLive(n, now) && loadScore(n) < 1)
    .sort((a, b) => loadScore(a) - loadScore(b) || a.load.rooms - b.load.rooms || a.nodeId.localeCompare(b.nodeId))[0];
}
