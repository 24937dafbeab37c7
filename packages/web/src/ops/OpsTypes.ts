/**
 * The shapes of /api/ops/* (served by packages/signaling/src/http/ops.ts). Mirrored here
 * because the page may depend only on @tandem/protocol.
 */
export type NodeState = 'STARTING' | 'SERVING' | 'DRAINING';
export type RequestedState = 'SERVING' | 'DRAINING';

export interface OpsNode {
  nodeId: string;
  state: NodeState;
  controlUrl: string;
  updatedAt: number;
  /** How old the node's last heartbeat was when the server answered. */
  ageMs: number;
  load: { rooms: number; peers: number; consumers: number; cpu: number; bitrateBps: number };
  maxConsumers: number;
  /** Present while ops asked for a state the node has not taken yet. */
  requestedState?: RequestedState;
}

export interface OpsNodesReply {
  nodes: OpsNode[];
}

export interface OpsStateReply {
  nodeId: string;
  requestedState: RequestedState;
}
