import { createHash, timingSafeEqual } from 'node:crypto';
import type { Coordinator, SfuNodeRecord } from '@tandem/cluster';
import { TandemError } from '@tandem/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';

/**
 * The operator API behind /ops (Bearer TANDEM_OPS_TOKEN):
 *
 * GET  /api/ops/nodes                  → OpsNodesReply (live SFU nodes, sorted by nodeId)
 * POST /api/ops/nodes/:nodeId/drain    → 202 OpsStateReply (the node drains on its next heartbeat)
 * POST /api/ops/nodes/:nodeId/resume   → 202 OpsStateReply
 *
 * Without an ops token the whole API answers 404, as if it did not exist.
 */
export interface OpsDeps {
  coordinator: Pick<Coordinator, 'listNodes' | 'requestNodeState'>;
  opsToken: string | undefined;
  now?: () => number;
}

const NodeState = Type.Union([Type.Literal('STARTING'), Type.Literal('SERVING'), Type.Literal('DRAINING')]);
const RequestedState = Type.Union([Type.Literal('SERVING'), Type.Literal('DRAINING')]);

export const OpsNodeParams = Type.Object(
  { nodeId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }) },
  { additionalProperties: false },
);

export const OpsNode = Type.Object({
  nodeId: Type.String(),
  state: NodeState,
  controlUrl: Type.String(),
  updatedAt: Type.Number(),
  ageMs: Type.Number(),
  load: Type.Object({
    rooms: Type.Number(),
    peers: Type.Number(),
    consumers: Type.Number(),
    cpu: Type.Number(),
    bitrateBps: Type.Number(),
  }),
  maxConsumers: Type.Number(),
  /** Present while ops asked for a state the node has not taken yet. */
  requestedState: Type.Optional(RequestedState),
});
export type OpsNode = Static<typeof OpsNode>;

export const OpsNodesReply = Type.Object({ nodes: Type.Array(OpsNode) });
export type OpsNodesReply = Static<typeof OpsNodesReply>;

export const OpsStateReply = Type.Object({ nodeId: Type.String(), requestedState: RequestedState });
export type OpsStateReply = Static<typeof OpsStateReply>;

/** A coordinator may carry the pending request on the record; the interface does not require it. */
type RecordWithRequest = SfuNodeRecord & { requestedState?: unknown };

export function toOpsNode(record: RecordWithRequest, now: number): OpsNode {
  const { rooms, peers, consumers, cpu, bitrateBps } = record.load;
  const node: OpsNode = {
    nodeId: record.nodeId,
    state: record.state,
    controlUrl: record.controlUrl,
    updatedAt: record.updatedAt,
    ageMs: Math.max(0, now - record.updatedAt),
    load: { rooms, peers, consumers, cpu, bitrateBps },
    maxConsumers: record.maxConsumers,
  };
  const requested = record.requestedState;
  if ((requested === 'SERVING' || requested === 'DRAINING') && requested !== record.state) node.requestedState = requested;
  return node;
}

/** Compares through fixed-length digests, so neither content nor length leaks through timing. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export async function opsRoutes(app: FastifyInstance, deps: OpsDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const now = deps.now ?? Date.now;
  const opsToken = deps.opsToken ? deps.opsToken : undefined;

  // Runs before schema validation: a stranger learns nothing about which node ids are valid.
  const guard = async (request: FastifyRequest): Promise<void> => {
    if (!opsToken) throw new TandemError('NOT_FOUND', 'ops API disabled');
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!presented || !sameSecret(presented, opsToken)) throw new TandemError('UNAUTHORIZED', 'ops token required');
  };

  api.get(
    '/api/ops/nodes',
    { onRequest: guard, schema: { response: { 200: OpsNodesReply } } },
    async (): Promise<OpsNodesReply> => {
      const records = await deps.coordinator.listNodes();
      const at = now();
      const nodes = records
        .map((record) => toOpsNode(record, at))
        .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
      return { nodes };
    },
  );

  const changeState = (path: string, state: 'SERVING' | 'DRAINING'): void => {
    api.post(
      path,
      {
        onRequest: guard,
        schema: {
          params: OpsNodeParams,
          response: { 202: OpsStateReply },
        },
      },
      async (request, reply): Promise<OpsStateReply> => {
        const { nodeId } = request.params;
        const nodes = await deps.coordinator.listNodes();
        if (!nodes.some((node) => node.nodeId === nodeId)) throw new TandemError('NOT_FOUND', 'no such live node');
        await deps.coordinator.requestNodeState(nodeId, state);
        request.log.info({ sfuNodeId: nodeId, requestedState: state }, 'ops requested node state');
        void reply.status(202);
        return { nodeId, requestedState: state };
      },
    );
  };
  changeState('/api/ops/nodes/:nodeId/drain', 'DRAINING');
  changeState('/api/ops/nodes/:nodeId/resume', 'SERVING');
}
