import { TandemError, type SfuControl, type SfuMethod, type SfuRequests } from '@tandem/protocol';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { RosterProducer } from './CallRoster.js';

/** How a call reaches SFU nodes by id. */
export interface SfuNodes {
  get(nodeId: string): SfuControl;
}

/**
 * A call's media on one or more SFU nodes. The room's origin holds it; a peer served by
 * another node gets the producers it consumes piped over (mediasoup PipeTransports),
 * and the producers it publishes are piped to where they are consumed. The pipe
 * requests are idempotent on the nodes, so processes wiring the same producer at once
 * end with one pipe.
 */
export class CallMedia {
  constructor(
    readonly roomId: string,
    readonly originNodeId: string,
    private readonly nodes: SfuNodes,
    private readonly log: Logger,
  ) {}

  node(nodeId: string): SfuControl {
    return this.nodes.get(nodeId);
  }

  request<M extends SfuMethod>(nodeId: string, method: M, params: SfuRequests[M]['params']): Promise<SfuRequests[M]['result']> {
    return this.nodes.get(nodeId).request(method, params);
  }

  /** Makes `producer` available on `toNodeId` (a no-op when it was produced there). */
  async ensureOn(producer: RosterProducer, toNodeId: string): Promise<void> {
    const from = producer.nodeId;
    if (from === toNodeId) return;
    const roomId = this.roomId;
    const a = this.nodes.get(from);
    const b = this.nodes.get(toNodeId);
    const [ea, eb] = await Promise.all([
      a.request('openPipe', { roomId, remoteNodeId: toNodeId }),
      b.request('openPipe', { roomId, remoteNodeId: from }),
    ]);
    await Promise.all([
      a.request('connectPipe', { roomId, remoteNodeId: toNodeId, ip: eb.ip, port: eb.port }),
      b.request('connectPipe', { roomId, remoteNodeId: from, ip: ea.ip, port: ea.port }),
    ]);
    const piped = await a.request('pipeOut', { roomId, remoteNodeId: toNodeId, producerId: producer.producerId });
    await b.request('pipeIn', { roomId, remoteNodeId: from, ...piped });
    this.log.debug({ producerId: producer.producerId, from, to: toNodeId }, 'producer piped across nodes');
  }

  /**
   * Runs a producer request on every node of the call: the origin copy and the piped
   * ones. A node that does not have the producer (never piped there) is fine.
   */
  async onEveryNode(nodeIds: Iterable<string>, method: 'closeProducer' | 'pauseProducer' | 'resumeProducer', producerId: string): Promise<void> {
    const roomId = this.roomId;
    await Promise.all(
      [...new Set(nodeIds)].map((nodeId) =>
        this.request(nodeId, method, { roomId, producerId }).catch((error: unknown) => {
          if (error instanceof TandemError && (error.code === 'NOT_FOUND' || error.code === 'NODE_UNAVAILABLE')) return;
          this.log.warn({ err: error, sfuNodeId: nodeId, producerId }, `${method} failed on a node of the call`);
        }),
      ),
    );
  }

  /** Frees the room on every node of the call (the call is over or moved). */
  async closeEverywhere(nodeIds: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set([this.originNodeId, ...nodeIds])].map((nodeId) =>
        this.request(nodeId, 'closeRoom', { roomId: this.roomId }).catch(() => undefined),
      ),
    );
  }
}
