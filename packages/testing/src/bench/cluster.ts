/**
 * `npm run bench:cluster`: what a cluster costs and how it heals, on this machine's
 * loopback with the built `tandem` command (redis-server, 3 SFU + 2 signaling processes,
 * one worker each, headless Chromium with fake devices).
 * - media gap after kill -9 of the call's SFU node (both sides, worst of the two), N runs;
 * - media gap during a drain migration (`tandem ops drain`), M runs;
 * - placements/s: 3 coordinator clients (as 3 signaling processes) × 16 concurrent claims;
 *   and joins/s through both signaling processes (placement + SFU transports);
 * - chat fan-out latency from a peer on one signaling process to a peer on the other.
 */
import { performance } from 'node:perf_hooks';
import { RedisCoordinator } from '@tandem/cluster';
import type { CallTokenReply, CreatedSession } from '@tandem/protocol';
import { launchChromium, newProbedPage, waitForLiveVideo } from '../chromium.js';
import { startCluster, type TestCluster } from '../cluster.js';
import { measureMediaGap } from '../mediaGap.js';
import { agentOpensSession, byTestId, customerJoins } from '../pages.js';
import { SignalingClient } from '../SignalingClient.js';
import { http, openSupportCall } from '../tandem.js';
import { percentile, table } from './stats.js';

const KILL_RUNS = Number(process.env.BENCH_KILL_RUNS ?? 10);
const DRAIN_RUNS = Number(process.env.BENCH_DRAIN_RUNS ?? 5);
const PLACEMENTS = Number(process.env.BENCH_PLACEMENTS ?? 3000);
const CHAT_LINES = Number(process.env.BENCH_CHAT_LINES ?? 300);
const quiet = { warn() {}, info() {} };

async function placementsPerSecond(cluster: TestCluster): Promise<{ perSecond: number; doublePlaced: number }> {
  const clients = await Promise.all([0, 1, 2].map(() => RedisCoordinator.connect({ url: cluster.redis.url, log: quiet })));
  let next = 0;
  const answers = new Map<string, Set<string>>();
  const started = performance.now();
  await Promise.all(
    clients.flatMap((client) =>
      Array.from({ length: 16 }, async () => {
        // Every room is claimed twice, by different clients, to count double placements under contention.
        while (next < PLACEMENTS) {
          const roomId = `bench-${Math.floor(next++ / 2)}`;
          const placement = await client.placeRoom(roomId);
          (answers.get(roomId) ?? answers.set(roomId, new Set()).get(roomId)!).add(placement.nodeId);
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([...answers.keys()].map((roomId) => clients[0]!.releaseRoom(roomId, [...answers.get(roomId)!][0]!)));
  await Promise.all(clients.map((c) => c.close()));
  return { perSecond: PLACEMENTS / seconds, doublePlaced: [...answers.values()].filter((s) => s.size > 1).length };
}

async function joinsPerSecond(cluster: TestCluster, calls = 40): Promise<number> {
  const [sig1, sig2] = cluster.signaling;
  const { console: agentConsole } = await openSupportCall(sig1!.url);
  const tokens: string[] = [];
  for (let i = 0; i < calls; i++) {
    const session = await http<CreatedSession>(sig1!.url, 'POST', '/api/v1/sessions', {}, agentConsole.token);
    tokens.push((await http<CallTokenReply>(sig2!.url, 'POST', `/api/v1/join/${session.body.joinCode}`, {})).body.token);
  }
  const started = performance.now();
  const clients = await Promise.all(
    tokens.map(async (token, i) => {
      const client = await SignalingClient.connect((i % 2 ? sig1 : sig2)!.url);
      await client.join(token);
      return client;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) await c.close();
  return calls / seconds;
}

async function chatFanout(cluster: TestCluster): Promise<number[]> {
  const [sig1, sig2] = cluster.signaling;
  const { session, customer, console: agentConsole } = await openSupportCall(sig1!.url);
  const agentToken = await http<{ token: string }>(sig1!.url, 'POST', `/api/v1/sessions/${session.sessionId}/token`, {}, agentConsole.token);
  const sender = await SignalingClient.connect(sig2!.url);
  await sender.join(customer.token);
  const receiver = await SignalingClient.connect(sig1!.url);
  await receiver.join(agentToken.body.token);
  const latencies: number[] = [];
  for (let i = 0; i < CHAT_LINES; i++) {
    const text = `line ${i}`;
    const t0 = performance.now();
    const arrived = receiver.next('chatMessage', (p) => (p as { message: { text: string } }).message.text === text);
    await sender.request('sendChat', { text, clientMessageId: `bench-${i}` });
    await arrived;
    latencies.push(performance.now() - t0);
    // 50 lines/s: brisk typing for a whole call, and under the per-socket rate limit.
    await new Promise((r) => setTimeout(r, 20));
  }
  await sender.close();
  await receiver.close();
  return latencies;
}

async function mediaGaps(cluster: TestCluster, coordinator: RedisCoordinator): Promise<{ kill: number[]; drain: number[] }> {
  const browser = await launchChromium();
  const camera = byTestId('remote-camera');
  try {
    const agent = await newProbedPage(await browser.createBrowserContext());
    const customer = await newProbedPage(await browser.createBrowserContext());
    const link = await agentOpensSession(agent, cluster.signaling[0]!.url);
    const sessionId = await agent.evaluate(() => (window as unknown as { tandemRoom?: { sessionId: string } }).tandemRoom?.sessionId ?? '');
    await customerJoins(customer, link.replace(/^https?:\/\/[^/]+/, cluster.signaling[1]!.url));
    await Promise.all([waitForLiveVideo(agent, camera, 30, 45_000), waitForLiveVideo(customer, camera, 30, 45_000)]);

    const disrupted = async (disrupt: () => Promise<void>): Promise<number> => {
      let started: Promise<void> | undefined;
      const once = (): Promise<void> => (started ??= disrupt());
      const gaps = await Promise.all([measureMediaGap(agent, camera, once), measureMediaGap(customer, camera, once)]);
      await cluster.addSfu(); // keep three nodes for the next run
      await Promise.all([waitForLiveVideo(agent, camera, 30, 45_000), waitForLiveVideo(customer, camera, 30, 45_000)]);
      return Math.max(...gaps);
    };
    const origin = async () => {
      const nodeId = (await coordinator.getPlacement(sessionId))!.nodeId;
      return cluster.sfu.find((p) => p.nodeId === nodeId && p.alive())!;
    };
    const kill: number[] = [];
    for (let i = 0; i < KILL_RUNS; i++) {
      const victim = await origin();
      kill.push(await disrupted(async () => {
        victim.kill('SIGKILL');
        await victim.exited;
      }));
      process.stderr.write(`kill -9 run ${i + 1}: ${kill.at(-1)} ms\n`);
    }
    const drain: number[] = [];
    for (let i = 0; i < DRAIN_RUNS; i++) {
      const node = await origin();
      drain.push(await disrupted(async () => {
        const ops = await cluster.ops('drain', node.nodeId);
        if (ops.code !== 0) throw new Error(ops.output);
        await node.exited;
      }));
      process.stderr.write(`drain run ${i + 1}: ${drain.at(-1)} ms\n`);
    }
    return { kill, drain };
  } finally {
    await browser.dispose();
  }
}

async function main(): Promise<void> {
  const cluster = await startCluster({ sfu: 3, signaling: 2, env: { LOG_LEVEL: 'warn', TANDEM_JOIN_RATE_PER_MIN: '100000' } });
  const coordinator = await RedisCoordinator.connect({ url: cluster.redis.url, log: quiet });
  try {
    const placements = await placementsPerSecond(cluster);
    const joins = await joinsPerSecond(cluster);
    const chat = await chatFanout(cluster);
    const gaps = await mediaGaps(cluster, coordinator);
    console.log(
      table('Tandem cluster (loopback; redis-server, 3 SFU + 2 signaling processes, 1 worker each, headless Chromium)', [
        { metric: 'media gap after kill -9 of the call’s node', sample: gaps.kill },
        { metric: 'media gap during drain migration', sample: gaps.drain },
        { metric: 'chat fan-out across signaling processes', sample: chat },
      ]),
    );
    console.log(`chat fan-out p99: ${percentile(chat, 99).toFixed(1)} ms`);
    console.log(`placements/s (3 coordinator clients × 16 concurrent, every room claimed twice): ${placements.perSecond.toFixed(0)}; rooms placed on two nodes: ${placements.doublePlaced}`);
    console.log(`joins/s through 2 signaling processes (40 concurrent joiners, placement + SFU transports): ${joins.toFixed(1)}`);
  } finally {
    await coordinator.close();
    await cluster.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
