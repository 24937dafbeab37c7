import type { Coordinator } from '@tandem/cluster';
import type { PeerInfo, ProducerInfo } from '@tandem/protocol';

/** A peer connection in the roster: who, on which SFU node, since when. */
export interface RosterPeer extends PeerInfo {
  connId: string;
  nodeId: string;
  joinedAt: number;
}

/** A producer in the roster, with the node it was produced on (its origin for pipes). */
export interface RosterProducer extends ProducerInfo {
  connId: string;
  nodeId: string;
}

export interface RosterView {
  /** One entry per identity: its newest connection. */
  peers: RosterPeer[];
  producers: RosterProducer[];
  /** Every SFU node serving someone in this call (origin included). */
  nodes: string[];
  screenRequests: Map<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const parse = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
};

/**
 * A call's shared state, kept in the coordinator so every signaling process serving the
 * call sees the same peers and producers: one hash per room generation. Entries are
 * keyed per connection, so a leaving connection never deletes its successor's entry.
 */
export class CallRoster {
  constructor(
    private readonly coordinator: Coordinator,
    readonly roomId: string,
    readonly generation: string,
  ) {}

  putPeer(peer: RosterPeer): Promise<void> {
    return this.#put(`peer:${peer.peerId}:${peer.connId}`, peer);
  }

  deletePeer(peerId: string, connId: string): Promise<void> {
    return this.coordinator.rosterDelete(this.roomId, this.generation, `peer:${peerId}:${connId}`);
  }

  putProducer(producer: RosterProducer): Promise<void> {
    return this.#put(`producer:${producer.producerId}`, producer);
  }

  deleteProducer(producerId: string): Promise<void> {
    return this.coordinator.rosterDelete(this.roomId, this.generation, `producer:${producerId}`);
  }

  addNode(nodeId: string): Promise<void> {
    return this.coordinator.rosterPut(this.roomId, this.generation, `node:${nodeId}`, '1');
  }

  putScreenRequest(requestId: string, agentPeerId: string): Promise<void> {
    return this.coordinator.rosterPut(this.roomId, this.generation, `screen:${requestId}`, agentPeerId);
  }

  deleteScreenRequest(requestId: string): Promise<void> {
    return this.coordinator.rosterDelete(this.roomId, this.generation, `screen:${requestId}`);
  }

  async view(): Promise<RosterView> {
    const fields = await this.coordinator.rosterList(this.roomId, this.generation);
    const peers = new Map<string, RosterPeer>();
    const view: RosterView = { peers: [], producers: [], nodes: [], screenRequests: new Map() };
    for (const [field, raw] of Object.entries(fields)) {
      const [kind, id] = field.split(':', 2) as [string, string | undefined];
      if (!id) continue;
      if (kind === 'node') view.nodes.push(id);
      else if (kind === 'screen') view.screenRequests.set(id, raw);
      else if (kind === 'peer') {
        const peer = parse(raw);
        if (!isRosterPeer(peer)) continue;
        const known = peers.get(peer.peerId);
        if (!known || known.joinedAt < peer.joinedAt) peers.set(peer.peerId, peer);
      } else if (kind === 'producer') {
        const producer = parse(raw);
        if (isRosterProducer(producer)) view.producers.push(producer);
      }
    }
    view.peers = [...peers.values()];
    // Producers of a connection that was since replaced are on their way out: hide them.
    const current = new Set(view.peers.map((p) => p.connId));
    view.producers = view.producers.filter((p) => current.has(p.connId));
    return view;
  }

  #put(field: string, value: object): Promise<void> {
    return this.coordinator.rosterPut(this.roomId, this.generation, field, JSON.stringify(value));
  }
}

function isRosterPeer(v: unknown): v is RosterPeer {
  return isObject(v) && ['peerId', 'role', 'displayName', 'connId', 'nodeId'].every((k) => typeof v[k] === 'string') &&
    typeof v.joinedAt === 'number';
}

function isRosterProducer(v: unknown): v is RosterProducer {
  return isObject(v) && ['producerId', 'peerId', 'kind', 'source', 'connId', 'nodeId'].every((k) => typeof v[k] === 'string') &&
    typeof v.paused === 'boolean';
}
