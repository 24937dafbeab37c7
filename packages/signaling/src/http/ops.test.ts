import { MemoryCoordinator, type Coordinator, type SfuNodeHeartbeat, type SfuNodeRecord } from '@tandem/cluster';
import { TandemError } from '@tandem/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandler } from './errors.js';
import { opsRoutes, type OpsDeps, type OpsNodesReply } from './ops.js';

const TOKEN = 'ops-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

function node(nodeId: string, overrides: Partial<SfuNodeHeartbeat> = {}): SfuNodeHeartbeat {
  return {
    nodeId,
    controlUrl: `ws://10.0.0.1:3000/control#${nodeId}`,
    state: 'SERVING',
    maxConsumers: 500,
    load: { rooms: 2, peers: 4, consumers: 8, cpu: 0.25, bitrateBps: 3_000_000 },
    ...overrides,
  };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function opsApp(deps: OpsDeps): Promise<FastifyInstance> {
  app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } });
  installErrorHandler(app);
  await app.register(async (scope) => opsRoutes(scope, deps));
  await app.ready();
  return app;
}

/** A cluster of two nodes whose clock the test moves. */
async function cluster(): Promise<{ coordinator: MemoryCoordinator; clock: { t: number } }> {
  const clock = { t: 1_000_000 };
  const coordinator = new MemoryCoordinator({ now: () => clock.t });
  await coordinator.heartbeat(node('sfu-b', { load: { rooms: 1, peers: 2, consumers: 3, cpu: 0.5, bitrateBps: 1_500_000 } }));
  clock.t += 1_500;
  await coordinator.heartbeat(node('sfu-a', { state: 'DRAINING', maxConsumers: 200 }));
  clock.t += 500;
  return { coordinator, clock };
}

describe('GET /api/ops/nodes', () => {
  it('lists live nodes sorted by id with their load, capacity and record age', async () => {
    const { coordinator, clock } = await cluster();
    const server = await opsApp({ coordinator, opsToken: TOKEN, now: () => clock.t });
    const reply = await server.inject({ method: 'GET', url: '/api/ops/nodes', headers: auth });
    expect(reply.statusCode).toBe(200);
    const { nodes } = reply.json<OpsNodesReply>();
    expect(nodes.map((n) => n.nodeId)).toEqual(['sfu-a', 'sfu-b']);
    expect(nodes[0]).toMatchObject({ state: 'DRAINING', maxConsumers: 200, ageMs: 500 });
    expect(nodes[1]).toMatchObject({
      state: 'SERVING',
      controlUrl: 'ws://10.0.0.1:3000/control#sfu-b',
      ageMs: 2_000,
      load: { rooms: 1, peers: 2, consumers: 3, cpu: 0.5, bitrateBps: 1_500_000 },
    });
    expect(nodes[1]?.requestedState).toBeUndefined();
  });

  it('leaves out nodes that stopped heartbeating', async () => {
    const { coordinator, clock } = await cluster();
    const server = await opsApp({ coordinator, opsToken: TOKEN, now: () => clock.t });
    clock.t += 5_000; // sfu-b is now 7 s old: dead; sfu-a 5.5 s: alive
    const { nodes } = (await server.inject({ method: 'GET', url: '/api/ops/nodes', headers: auth })).json<OpsNodesReply>();
    expect(nodes.map((n) => n.nodeId)).toEqual(['sfu-a']);
  });

  it('shows a requested state only while the node has not taken it yet', async () => {
    const records: (SfuNodeRecord & { requestedState?: string })[] = [
      { ...node('n1'), updatedAt: 10, requestedState: 'DRAINING' },
      { ...node('n2', { state: 'DRAINING' }), updatedAt: 10, requestedState: 'DRAINING' },
      { ...node('n3'), updatedAt: 10, requestedState: 'bogus' },
    ];
    const coordinator = { listNodes: async () => records, requestNodeState: async () => {} };
    const server = await opsApp({ coordinator, opsToken: TOKEN, now: () => 5 });
    const { nodes } = (await server.inject({ method: 'GET', url: '/api/ops/nodes', headers: auth })).json<OpsNodesReply>();
    expect(nodes.map((n) => [n.nodeId, n.requestedState, n.ageMs])).toEqual([
      ['n1', 'DRAINING', 0],
      ['n2', undefined, 0],
      ['n3', undefined, 0],
    ]);
  });
});

describe('POST /api/ops/nodes/:nodeId/drain and /resume', () => {
  it('asks the node to drain, then to serve again; the node learns it from its heartbeat', async () => {
    const { coordinator, clock } = await cluster();
    const server = await opsApp({ coordinator, opsToken: TOKEN, now: () => clock.t });

    const drain = await server.inject({ method: 'POST', url: '/api/ops/nodes/sfu-b/drain', headers: auth });
    expect(drain.statusCode).toBe(202);
    expect(drain.json()).toEqual({ nodeId: 'sfu-b', requestedState: 'DRAINING' });
    expect(await coordinator.heartbeat(node('sfu-b'))).toEqual({ requestedState: 'DRAINING' });

    const resume = await server.inject({ method: 'POST', url: '/api/ops/nodes/sfu-b/resume', headers: auth, payload: {} });
    expect(resume.statusCode).toBe(202);
    expect(resume.json()).toEqual({ nodeId: 'sfu-b', requestedState: 'SERVING' });
    expect(await coordinator.heartbeat(node('sfu-b', { state: 'DRAINING' }))).toEqual({ requestedState: 'SERVING' });
  });

  it('answers 404 for a node not in the cluster and requests nothing', async () => {
    const requested: string[] = [];
    const { coordinator, clock } = await cluster();
    const spy = { listNodes: () => coordinator.listNodes(), requestNodeState: async (id: string) => void requested.push(id) };
    const server = await opsApp({ coordinator: spy, opsToken: TOKEN, now: () => clock.t });
    const reply = await server.inject({ method: 'POST', url: '/api/ops/nodes/sfu-zz/drain', headers: auth });
    expect(reply.statusCode).toBe(404);
    expect(reply.json().error.code).toBe('NOT_FOUND');
    expect(requested).toEqual([]);
  });

  it('refuses malformed node ids and unreadable bodies with BAD_PARAMS and requests nothing', async () => {
    const requested: string[] = [];
    const { coordinator, clock } = await cluster();
    const spy = { listNodes: () => coordinator.listNodes(), requestNodeState: async (id: string) => void requested.push(id) };
    const server = await opsApp({ coordinator: spy, opsToken: TOKEN, now: () => clock.t });
    for (const id of ['sfu%20b', 'a'.repeat(65), 'sfu%2Fb', '%E2%9C%93']) {
      const reply = await server.inject({ method: 'POST', url: `/api/ops/nodes/${id}/drain`, headers: auth });
      expect(reply.statusCode, id).toBe(400);
      expect(reply.json().error.code, id).toBe('BAD_PARAMS');
    }
    const garbage = await server.inject({
      method: 'POST', url: '/api/ops/nodes/sfu-b/drain', headers: { ...auth, 'content-type': 'application/json' }, payload: '{oops',
    });
    expect(garbage.statusCode).toBe(400);
    expect(requested).toEqual([]);
  });
});

describe('ops API access', () => {
  const routes = [
    { method: 'GET', url: '/api/ops/nodes' },
    { method: 'POST', url: '/api/ops/nodes/sfu-b/drain' },
    { method: 'POST', url: '/api/ops/nodes/sfu-b/resume' },
  ] as const;

  it('answers 401 UNAUTHORIZED without the right bearer token, and changes nothing', async () => {
    const { coordinator, clock } = await cluster();
    const server = await opsApp({ coordinator, opsToken: TOKEN, now: () => clock.t });
    const wrong = [
      {},
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      { authorization: `Bearer ${TOKEN}x` },
    ];
    for (const route of routes) {
      for (const headers of wrong) {
        const reply = await server.inject({ ...route, headers });
        expect(reply.statusCode, `${route.url} ${JSON.stringify(headers)}`).toBe(401);
        expect(reply.json().error.code).toBe('UNAUTHORIZED');
        expect(JSON.stringify(reply.json())).not.toContain('sfu-');
      }
    }
    // Even a malformed node id is refused for lack of a token first.
    expect((await server.inject({ method: 'POST', url: '/api/ops/nodes/%20/drain' })).statusCode).toBe(401);
    expect(await coordinator.heartbeat(node('sfu-b'))).toEqual({ requestedState: null });
  });

  it('answers 404 NOT_FOUND on every route when no ops token is configured', async () => {
    const { coordinator, clock } = await cluster();
    for (const opsToken of [undefined, '']) {
      const server = await opsApp({ coordinator, opsToken, now: () => clock.t });
      for (const route of routes) {
        for (const headers of [{}, { authorization: 'Bearer ' }, { authorization: 'Bearer undefined' }]) {
          const reply = await server.inject({ ...route, headers });
          expect(reply.statusCode, route.url).toBe(404);
          expect(reply.json().error).toEqual({ code: 'NOT_FOUND', message: 'ops API disabled' });
        }
      }
      await server.close();
    }
    expect(await coordinator.heartbeat(node('sfu-b'))).toEqual({ requestedState: null });
  });
});

describe('coordination outage', () => {
  it('passes COORDINATION_UNAVAILABLE through as 503', async () => {
    const down = async (): Promise<never> => {
      throw new TandemError('COORDINATION_UNAVAILABLE', 'redis unreachable');
    };
    const coordinator: Pick<Coordinator, 'listNodes' | 'requestNodeState'> = { listNodes: down, requestNodeState: down };
    const server = await opsApp({ coordinator, opsToken: TOKEN });
    for (const url of ['/api/ops/nodes', '/api/ops/nodes/sfu-b/drain']) {
      const reply = await server.inject({ method: url.endsWith('drain') ? 'POST' : 'GET', url, headers: auth });
      expect(reply.statusCode, url).toBe(503);
      expect(reply.json().error.code).toBe('COORDINATION_UNAVAILABLE');
    }
  });

  it('reports a request that fails after the node was found as 503 too', async () => {
    const { coordinator, clock } = await cluster();
    const flaky = {
      listNodes: () => coordinator.listNodes(),
      requestNodeState: async (): Promise<void> => {
        throw new TandemError('COORDINATION_UNAVAILABLE', 'redis unreachable');
      },
    };
    const server = await opsApp({ coordinator: flaky, opsToken: TOKEN, now: () => clock.t });
    const reply = await server.inject({ method: 'POST', url: '/api/ops/nodes/sfu-a/resume', headers: auth });
    expect(reply.statusCode).toBe(503);
    expect(reply.json().error.code).toBe('COORDINATION_UNAVAILABLE');
  });
});
