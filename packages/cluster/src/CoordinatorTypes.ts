/**
 * Cluster coordination as the signaling layer sees it. The in-memory implementation
 * serves the single-node default; the Redis one serves a cluster. Both pass the same
 * contract tests (coordinator.contract.ts). Nothing here knows about mediasoup objects.
 */
export type SfuNodeState = 'STARTING' | 'SERVING' | 'DRAINING';

export interface SfuNodeLoad {
  rooms: number;
  peers: number;
  consumers: number;
  /** Share of the node's cores in use, 0..1. */
  cpu: number;
  /** Media the node receives plus sends, bits/s (for ops; placement does not use it). */
  bitrateBps: number;
}

export interface SfuNodeRecord {
  nodeId: string;
  /** Where signaling reaches the node's control endpoint (ws://host:port/control); `local` in-process. */
  controlUrl: string;
  state: SfuNodeState;
  /** Consumers the node is sized for; placement keeps nodes under it. */
  maxConsumers: number;
  load: SfuNodeLoad;
  /** Written by the coordinator (ms since epoch); liveness is this record's age. */
  updatedAt: number;
  /** What ops last asked of the node (listNodes only), so a pending drain or resume shows. */
  requestedState?: 'SERVING' | 'DRAINING';
}

export type SfuNodeHeartbeat = Omit<SfuNodeRecord, 'updatedAt' | 'requestedState'>;

/** What a heartbeat learns back: a state ops asked this node to take (drain / resume). */
export interface HeartbeatReply {
  requestedState: 'SERVING' | 'DRAINING' | null;
}

export interface RoomPlacement {
  roomId: string;
  nodeId: string;
  placedAt: number;
}

export type Unsubscribe = () => Promise<void>;

export interface Coordinator {
  /** Writes (or refreshes) a node's record. Called every ~2 s by each node. */
  heartbeat(record: SfuNodeHeartbeat): Promise<HeartbeatReply>;
  removeNode(nodeId: string): Promise<void>;
  /** Live records only: those refreshed within the liveness window. Garbage records are skipped. */
  listNodes(): Promise<SfuNodeRecord[]>;
  /**
   * Ops asks a node to drain or to serve again; the node sees it in its next heartbeat
   * reply. Durable: a node that was briefly away still gets it.
   */
  requestNodeState(nodeId: string, state: 'SERVING' | 'DRAINING'): Promise<void>;
  /**
   * Returns the room's node, claiming the least-loaded SERVING node atomically if the
   * room has none or its node is gone. Two callers racing on one room get one answer.
   * Throws TandemError NO_CAPACITY when no node can take it.
   */
  placeRoom(roomId: string): Promise<RoomPlacement>;
  /**
   * Moves a room off `fromNodeId` (dead or draining): atomically, if the claim is still
   * on that node (or absent), claims the least-loaded SERVING node other than it. If
   * someone already moved it, returns their placement. NO_CAPACITY when none can take it.
   */
  movePlacement(roomId: string, fromNodeId: string): Promise<RoomPlacement>;
  getPlacement(roomId: string): Promise<RoomPlacement | null>;
  /** Drops the claim if it is still held by `nodeId` (a newer claim is left alone). */
  releaseRoom(roomId: string, nodeId: string): Promise<void>;

  /**
   * A call's shared roster, one hash per room and generation (a room that moves to a
   * new node starts a new generation, so stale entries of the old one are never read).
   * Values are opaque strings (JSON) owned by the signaling layer. Entries expire a day
   * after the last write, so an abandoned roster cleans itself up.
   */
  rosterPut(roomId: string, generation: string, field: string, value: string): Promise<void>;
  rosterDelete(roomId: string, generation: string, field: string): Promise<void>;
  rosterList(roomId: string, generation: string): Promise<Record<string, string>>;

  /** Fire-and-forget fan-out to every subscriber in the cluster (Redis pub/sub). */
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /** False while the backing store is unreachable (readiness, not liveness). */
  readonly available: boolean;
  close(): Promise<void>;
}
