import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RedisCoordinator } from '@tandem/cluster';
import { signControlToken } from '@tandem/protocol';
import { RemoteSfuNode } from '@tandem/signaling';
import {
  OPS_TOKEN,
  SignalingClient,
  byTestId,
  click,
  http,
  launchChromium,
  newProbedPage,
  openSupportCall,
  startCluster,
  type TestCluster,
} from '../src/index.js';
import { redisCommand } from '../src/redis.js';

/**
 * What ops do to a cluster, without media: add a node, race joins across signaling
 * processes, drain / resume / deadline, bad control tokens, garbage in Redis, metrics.
 * Real processes of the built command, real redis-server.
 */
let cluster: TestCluster;
let coordinator: RedisCoordinator;
const clients: SignalingClient[] = [];

beforeAll(async () => {
  cluster = await startCluster({ sfu: 1, signaling: 2 });
  coordinator = await RedisCoordinator.connect({ url: cluster.redis.url, log: { warn() {}, info() {} } });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await coordinator?.close();
  await cluster?.close();
});

/** An agent in a new session's call, through the given signaling process. */
async function callVia(base: string): Promise<{ sessionId: string; joinCode: string; customerToken: string; agentToken: string }> {
  const { session, customer, console: agentConsole } = await openSupportCall(base);
  const agentToken = await http<{ token: string }>(base, 'POST', `/api/v1/sessions/${session.sessionId}/token`, {}, agentConsole.token);
  return { sessionId: session.sessionId, joinCode: session.joinCode, customerToken: customer.token, agentToken: agentToken.body.token };
}

async function join(base: string, token: string) {
  const client = await SignalingClient.connect(base);
  clients.push(client);
  return client.join(token);
}

const nodeOfJoin = (join: Awaited<ReturnType<typeof SignalingClient.prototype.join>>): number =>
  (join.sendTransport as { iceCandidates: { port: number }[] }).iceCandidates[0]!.port;

describe('operating a cluster', () => {
  it('puts a new SFU node to work within seconds, and the next room on it when it is the least loaded', async () => {
    const [sig1] = cluster.signaling;
    const first = await callVia(sig1!.url);
    await join(sig1!.url, first.agentToken);
    expect((await coordinator.getPlacement(first.sessionId))?.nodeId).toBe('sfu-1');

    const started = Date.now();
    const added = await cluster.addSfu(); // resolves once the registry lists it SERVING
    const servingAfterMs = Date.now() - started;
    console.info(`new SFU node serving after ${servingAfterMs} ms (process start included)`);
    expect(servingAfterMs).toBeLessThan(10_000);

    const second = await callVia(sig1!.url);
    await join(sig1!.url, second.agentToken);
    expect((await coordinator.getPlacement(second.sessionId))?.nodeId).toBe(added.nodeId);
  });

  it('places a room once when many joins race from both signaling processes', async () => {
    await cluster.addSfu();
    const [sig1, sig2] = cluster.signaling;
    const calls = await Promise.all(Array.from({ length: 6 }, () => callVia(sig1!.url)));
    // Each call: its agent and four customers (four redemptions of its code) join at once, over both processes.
    const joins = await Promise.all(
      calls.map(async (call) => {
        expect(await coordinator.getPlacement(call.sessionId)).toBeNull(); // nobody has placed it before the race
        const customerTokens = [call.customerToken];
        for (let i = 0; i < 3; i++) {
          const redeemed = await http<{ token: string }>(sig2!.url, 'POST', `/api/v1/join/${call.joinCode}`, { displayName: `C${i}` });
          customerTokens.push(redeemed.body.token);
        }
        return Promise.all([
          join(sig2!.url, call.agentToken),
          ...customerTokens.map((token, i) => join((i % 2 ? sig1 : sig2)!.url, token)),
        ]);
      }),
    );
    for (const [i, call] of calls.entries()) {
      const ports = new Set(joins[i]!.map(nodeOfJoin));
      expect(ports.size, `session ${call.sessionId} landed on ${ports.size} nodes`).toBe(1);
    }
    // Each claim is on a node that serves.
    const serving = new Set((await cluster.nodes()).filter((n) => n.state === 'SERVING').map((n) => n.nodeId));
    for (const call of calls) expect(serving.has((await coordinator.getPlacement(call.sessionId))!.nodeId)).toBe(true);
  });

  it('refuses a forged or expired control token, and accepts the real one', async () => {
    const sfu = cluster.sfu[0]!;
    const url = `ws://127.0.0.1:${sfu.port}/control`;
    const status = (token: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    const secret = cluster.env.TANDEM_CLUSTER_SECRET!;
    expect(await status(await signControlToken('an-attackers-guess-at-the-secret-0000', { sub: 'mallory' }))).toBe(401);
    expect(await status(await signControlToken(secret, { sub: 'old', ttlMs: 1000 }, Date.now() - 3_600_000))).toBe(401);
    expect(await status('not-a-token')).toBe(401);
    expect(await status(await signControlToken(secret, { sub: 'test' }))).toBe(101);
  });

  it('ignores a garbage node record in Redis with one log line and keeps placing calls', async () => {
    await redisCommand(cluster.redis.port, 'HSET', 'tandem:{nodes}:records', 'sfu-garbage', '{"nodeId": "sfu-garbage", "state": 42');
    const [sig1] = cluster.signaling;
    const call = await callVia(sig1!.url);
    const joined = await join(sig1!.url, call.agentToken);
    expect(joined.sendTransport.id).toBeTruthy();
    await expect.poll(async () => (await sig1!.log()).includes('skipping malformed SFU node record'), { timeout: 5_000 }).toBe(true);
    expect((await cluster.nodes()).map((n) => n.nodeId)).not.toContain('sfu-garbage');
    await redisCommand(cluster.redis.port, 'HDEL', 'tandem:{nodes}:records', 'sfu-garbage');
  });

  it('exports per-node metrics and logs with the node id', async () => {
    const sfu = cluster.sfu[0]!;
    const metrics = await (await fetch(`${sfu.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`tandem_node_info\\{node_id="${sfu.nodeId}",state="SERVING"\\} 1`));
    expect(metrics).toMatch(/tandem_coordination_up 1/);
    const sigMetrics = await (await fetch(`${cluster.signaling[0]!.url}/metrics`)).text();
    expect(sigMetrics).toMatch(/tandem_coordination_up 1/);
    const line = (await sfu.log()).split('\n').find((l) => l.startsWith('{'));
    expect(JSON.parse(line!)).toMatchObject({ nodeId: sfu.nodeId, role: 'sfu' });
  });

  it('drains from the /ops page, resumes from the CLI, and a drain that cannot empty ends at its deadline', async () => {
    const node = await cluster.addSfu({ TANDEM_DRAIN_DEADLINE_S: '12' });
    // A room no signaling process will move (opened straight over the control endpoint): the node cannot empty.
    const holder = await RemoteSfuNode.connect({ nodeId: node.nodeId, url: `ws://127.0.0.1:${node.port}/control`, secret: cluster.env.TANDEM_CLUSTER_SECRET! });
    await holder.request('openRoom', { roomId: 'held-open' });

    const browser = await launchChromium();
    try {
      const page = await newProbedPage(browser);
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${cluster.signaling[0]!.url}/ops`);
      await page.waitForSelector(byTestId('ops-token'), { visible: true });
      await page.type(byTestId('ops-token'), OPS_TOKEN);
      await click(page, 'ops-login');
      const row = `${byTestId('ops-node-row')}[data-node-id="${node.nodeId}"]`;
      await page.waitForSelector(`${row}[data-state="SERVING"]`);
      await page.$eval(`${row} ${byTestId('ops-drain')}`, (b) => (b as HTMLButtonElement).click());
      await page.waitForSelector(`${row}[data-state="DRAINING"]`, { timeout: 10_000 });
    } finally {
      await browser.dispose();
    }
    const resumed = await cluster.ops('resume', node.nodeId);
    expect(resumed.code, resumed.output).toBe(0);
    await expect.poll(async () => (await cluster.nodes()).find((n) => n.nodeId === node.nodeId)?.state, { timeout: 10_000 }).toBe('SERVING');
    expect(node.alive()).toBe(true);

    const drainedAt = Date.now();
    expect((await cluster.ops('drain', node.nodeId)).code).toBe(0);
    expect(await node.exited).toBe(0);
    const tookMs = Date.now() - drainedAt;
    expect(tookMs).toBeGreaterThanOrEqual(12_000);
    expect(tookMs).toBeLessThan(25_000);
    await holder.close();
  });
});
