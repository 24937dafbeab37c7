/**
 * Cluster coordination as the signaling layer sees it. The in-memory implementation
 * serves the single-node default; the Redis one (cluster issue) passes the same
 * contract tests. Nothing here knows about mediasoup objects.
 */
export type SfuNodeState = 'STARTING' | 'SERVING' | 'DRAINING';

export interface SfuNodeLoad {
  rooms: number;
  consumers: number;
  /** Share of the node's cores in use, 0..1. */
  cpu: number;
}

export interface SfuNodeRecord {
  nodeId: string;
  /** Where signaling reaches the node's control endpoint; `local` for the in-process node. */
  controlUrl: string;
  state: SfuNodeState;
  /** Consumers the node is sized for; placement keeps nodes under it. */
  maxConsumers: number;
  load: SfuNodeLoad;
  /** Written by the coordinator (ms since epoch); liveness is this record's age. */
  updatedAt: number;
}

export type SfuNodeHeartbeat = Omit<SfuNodeRecord, 'updatedAt'>;

export interface RoomPlacement {
  roomId: string;
  nodeId: string;
  placedAt: number;
}

export type Unsubscribe = () => Promise<void>;

export interface Coordinator {
  /** Writes (or refreshes) a node's record. Called every ~2 s by each node. */
  heartbeat(record: SfuNodeHeartbeat): Promise<void>;
  removeNode(nodeId: string): Promise<void>;
  /** Live records only: those refreshed within the liveness window. */
  listNodes(): Promise<SfuNodeRecord[]>;
  /**
   * Returns the room's node, claiming the least-loaded SERVING node atomically if the
   * room has none or its node is gone. Two callers racing on one room get one answer.
   * Throws TandemError NO_CAPACITY when no node can take it.
   */
  placeRoom(roomId: string): Promise<RoomPlacement>;
  getPlacement(roomId: string): Promise<RoomPlacement | null>;
  /** Drops the claim if it is still held by `nodeId` (a newer claim is left alone). */
  releaseRoom(roomId: string, nodeId: string): Promise<void>;
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}
