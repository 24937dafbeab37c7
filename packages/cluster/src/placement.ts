import type { SfuNodeRecord } from './CoordinatorTypes.js';

/** A node whose record is older than this is considered dead. Heartbeats come every ~2 s. */
export const NODE_LIVENESS_MS = 6_000;

/** How long a roster outlives its last write, so an abandoned one cleans itself up. */
export const ROSTER_TTL_MS = 24 * 60 * 60 * 1000;

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

/**
 * Node records as placement must see them: a drain ops asked for applies at once (before
 * the node echoes it in a heartbeat), and rooms claimed since a node's last heartbeat
 * count, so a burst of placements spreads instead of piling onto one node.
 */
export function placementView(
  nodes: readonly SfuNodeRecord[],
  requested: ReadonlyMap<string, string>,
  claimedSinceHeartbeat: ReadonlyMap<string, number>,
): SfuNodeRecord[] {
  return nodes.map((n) => ({
    ...n,
    state: requested.get(n.nodeId) === 'DRAINING' ? 'DRAINING' : n.state,
    load: { ...n.load, rooms: n.load.rooms + (claimedSinceHeartbeat.get(n.nodeId) ?? 0) },
  }));
}
