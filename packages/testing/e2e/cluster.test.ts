import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'puppeteer-core';
import { RedisCoordinator } from '@tandem/cluster';
import {
  agentOpensSession,
  byTestId,
  chatLines,
  customerJoins,
  launchChromium,
  measureMediaGap,
  newProbedPage,
  sendChat,
  startCluster,
  waitForChatLine,
  waitForLiveVideo,
  type TestCluster,
} from '../src/index.js';

/**
 * A real cluster on loopback (redis-server, `tandem sfu` ×3, `tandem signaling` ×2, the
 * built command) with a customer and an agent in Chromium on DIFFERENT signaling
 * processes. Each disruption ops can cause must end with frames decoded again on both
 * sides and every chat line still there.
 */
let cluster: TestCluster;
let coordinator: RedisCoordinator;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let contexts: BrowserContext[] = [];
let agent: Page;
let customer: Page;
let sessionId: string;
const said: string[] = [];

const camera = byTestId('remote-camera');

async function placementOf(id: string): Promise<string> {
  const placement = await coordinator.getPlacement(id);
  if (!placement) throw new Error('the call has no placement');
  return placement.nodeId;
}

async function bothSeeVideo(): Promise<void> {
  await Promise.all([waitForLiveVideo(agent, camera, 10, 45_000), waitForLiveVideo(customer, camera, 10, 45_000)]);
}

async function chatSurvived(tag: string): Promise<void> {
  for (const text of said) await waitForChatLine(customer, text, 20_000);
  const fromCustomer = `customer after ${tag}`;
  const fromAgent = `agent after ${tag}`;
  await sendChat(customer, fromCustomer);
  await waitForChatLine(agent, fromCustomer, 20_000);
  await sendChat(agent, fromAgent);
  await waitForChatLine(customer, fromAgent, 20_000);
  said.push(fromCustomer, fromAgent);
  const lines = await chatLines(agent);
  for (const text of said) expect(lines.filter((l) => l.includes(text))).toHaveLength(1);
}

async function openCall(customerVia: string): Promise<void> {
  const link = await agentOpensSession(agent, cluster.signaling[0]!.url);
  sessionId = await agent.evaluate(() => window.tandemRoom?.sessionId ?? '');
  await customerJoins(customer, link.replace(/^https?:\/\/[^/]+/, customerVia));
}

beforeAll(async () => {
  cluster = await startCluster({ sfu: 3, signaling: 2, env: { TANDEM_DRAIN_DEADLINE_S: '30' } });
  coordinator = await RedisCoordinator.connect({ url: cluster.redis.url, log: { warn() {}, info() {} } });
  browser = await launchChromium();
  contexts = [await browser.createBrowserContext(), await browser.createBrowserContext()];
  agent = await newProbedPage(contexts[0]!);
  customer = await newProbedPage(contexts[1]!);
});

afterAll(async () => {
  await browser?.dispose();
  await coordinator?.close();
  await cluster?.close();
});

describe('a call on a cluster', () => {
  it('joins a customer on one signaling process and the agent on another in one call and one chat', async () => {
    await openCall(cluster.signaling[1]!.url);
    await bothSeeVideo();
    await sendChat(customer, 'hello from signaling 2');
    await waitForChatLine(agent, 'hello from signaling 2');
    await sendChat(agent, 'hello from signaling 1');
    await waitForChatLine(customer, 'hello from signaling 1');
    said.push('hello from signaling 2', 'hello from signaling 1');
  });

  it('survives kill -9 of the call’s SFU node: re-placed, both sides decode again, no chat line lost', async () => {
    const origin = await placementOf(sessionId);
    const victim = cluster.sfu.find((p) => p.nodeId === origin)!;
    const gap = await measureMediaGap(agent, camera, async () => {
      victim.kill('SIGKILL');
      await victim.exited;
    });
    await bothSeeVideo();
    const now = await placementOf(sessionId);
    expect(now).not.toBe(origin);
    expect(cluster.sfu.find((p) => p.nodeId === now)?.alive()).toBe(true);
    console.info(`media gap after kill -9: ${gap} ms`);
    await chatSurvived('kill -9');
  });

  it('drains the call’s node on `tandem ops drain`: the call moves, the node exits when empty', async () => {
    const origin = await placementOf(sessionId);
    const node = cluster.sfu.find((p) => p.nodeId === origin)!;
    const gap = await measureMediaGap(agent, camera, async () => {
      const ops = await cluster.ops('drain', origin);
      expect(ops.code, ops.output).toBe(0);
      expect(await node.exited).toBe(0);
    });
    await bothSeeVideo();
    expect(await placementOf(sessionId)).not.toBe(origin);
    console.info(`media gap during drain: ${gap} ms`);
    await chatSurvived('drain');
  });

  it('keeps the call going while Redis is down: liveness stays up, readiness drops, all recovers', async () => {
    await cluster.addSfu(); // back to two nodes for what follows
    await cluster.redis.stop();
    const sig = cluster.signaling[0]!;
    expect((await fetch(`${sig.url}/healthz`)).status).toBe(200);
    await expect.poll(async () => (await fetch(`${sig.url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    for (const p of cluster.sfu.filter((s) => s.alive())) expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    // Media does not touch Redis: both sides keep decoding through the outage.
    await bothSeeVideo();
    await cluster.redis.start();
    await expect.poll(async () => (await fetch(`${sig.url}/readyz`)).status, { timeout: 20_000 }).toBe(200);
    await chatSurvived('redis restart');
  });

  it('serves a customer from another SFU node than the room’s and pipes the media both ways', async () => {
    const piping = await cluster.addSignaling({ TANDEM_PIPE_ROLE: 'customer' });
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [await browser.createBrowserContext(), await browser.createBrowserContext()];
    agent = await newProbedPage(contexts[0]!);
    customer = await newProbedPage(contexts[1]!);
    await openCall(piping.url);
    await bothSeeVideo();
    const origin = await placementOf(sessionId);
    // The registry shows peers on two nodes: the agent's on the origin, the customer's on the other.
    await expect
      .poll(async () => (await cluster.nodes()).filter((n) => n.load.peers > 0).map((n) => n.nodeId).sort(), { timeout: 10_000 })
      .toHaveLength(2);
    expect((await cluster.nodes()).find((n) => n.nodeId === origin)?.load.peers).toBeGreaterThan(0);
    await sendChat(customer, 'piped hello');
    await waitForChatLine(agent, 'piped hello');
  });
});
