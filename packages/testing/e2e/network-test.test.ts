import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkTestOffer } from '@tandem/protocol';
import type { Page } from 'puppeteer-core';
import {
  byTestId,
  click,
  http,
  launchChromium,
  newProbedPage,
  openSupportCall,
  startImpairedTandem,
  startTestTandem,
  type TestTandem,
} from '../src/index.js';

/**
 * The pre-call network test on the customer's preview: a verdict in plain words with
 * figures measured through the real SFU, on a clean loopback and through 30 % loss;
 * and the server side of it refusing bad input with typed errors.
 */
let browser: Awaited<ReturnType<typeof launchChromium>>;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.dispose();
});

interface ShownCheck {
  verdict: string;
  text: string;
  via: string | undefined;
  reachable: string | undefined;
  rttMs: number;
  lossPercent: number;
  uploadKbps: number;
}

/** Opens a fresh customer link and waits for the preview's verdict (not "checking"). */
async function previewVerdict(page: Page, base: string): Promise<ShownCheck> {
  const { session } = await openSupportCall(base);
  await page.goto(`${base}${session.joinPath}`);
  await page.waitForSelector(byTestId('network-check'), { visible: true, timeout: 15_000 });
  await page.waitForSelector(`${byTestId('network-check')}:not([data-verdict="checking"])`, { timeout: 30_000 });
  return page.$eval(byTestId('network-check'), (node) => {
    const d = (node as HTMLElement).dataset;
    return {
      verdict: d.verdict ?? '',
      text: node.textContent ?? '',
      via: d.via,
      reachable: d.reachable,
      rttMs: Number(d.rttMs),
      lossPercent: Number(d.lossPercent),
      uploadKbps: Number(d.uploadKbps),
    };
  });
}

/** Peer connections the page has not closed (the probe's must all be gone after Join). */
const livePcs = (page: Page): Promise<number> =>
  page.evaluate(() => window.__tandemProbe.pcs.filter((pc) => pc.connectionState !== 'closed').length);

describe('pre-call network test on a clean loopback', () => {
  let tandem: TestTandem;
  beforeAll(async () => {
    tandem = await startTestTandem();
  });
  afterAll(async () => {
    await tandem?.stop();
  });

  it('shows "good for video" with measured figures before Join, and Join stops it', async () => {
    const context = await browser.createBrowserContext();
    const page = await newProbedPage(context);
    const shown = await previewVerdict(page, tandem.url);
    expect(shown.verdict).toBe('good');
    expect(shown.text).toContain('Your connection is good for video');
    expect(shown.via).toBe('udp');
    expect(shown.reachable).toBe('udp,tcp');
    expect(shown.rttMs).toBeGreaterThanOrEqual(0);
    expect(shown.rttMs).toBeLessThan(100);
    expect(shown.lossPercent).toBe(0);
    expect(shown.uploadKbps).toBeGreaterThan(1000);
    console.log(`[network-test] clean: ${JSON.stringify(shown)}`);
    // The test has finished and closed its connections; joining works as before.
    expect(await livePcs(page)).toBe(0);
    await click(page, 'join-button');
    await page.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
    await context.close();
  });

  it('refuses bad input to the network-test routes with typed errors, and keeps serving', async () => {
    const { console: agent, customer } = await openSupportCall(tandem.url);
    const code = (reply: { status: number; body: unknown }) => [reply.status, (reply.body as { error?: { code?: string } })?.error?.code];
    expect(code(await http(tandem.url, 'POST', '/api/v1/network-test', {}))).toEqual([401, 'UNAUTHORIZED']);
    expect(code(await http(tandem.url, 'POST', '/api/v1/network-test', {}, 'not-a-token-at-all-really'))).toEqual([401, 'UNAUTHORIZED']);
    expect(code(await http(tandem.url, 'POST', '/api/v1/network-test', {}, agent.token))).toEqual([401, 'UNAUTHORIZED']);
    expect(code(await http(tandem.url, 'POST', '/api/v1/network-test', { legs: 9 }, customer.token))).toEqual([400, 'BAD_PARAMS']);
    expect(code(await http(tandem.url, 'POST', '/api/v1/network-test', '{"broken', customer.token))[0]).toBe(400);

    const offer = await http<NetworkTestOffer>(tandem.url, 'POST', '/api/v1/network-test', {}, customer.token);
    expect(offer.status).toBe(201);
    expect(offer.body.legs.map((l) => l.leg)).toEqual(['udp', 'tcp']);
    const { probeId } = offer.body;
    const send = offer.body.legs[0]!.sendTransport.id;
    const at = (suffix: string) => `/api/v1/network-test/${probeId}${suffix}`;
    expect(code(await http(tandem.url, 'POST', at('/connect'), { transportId: send }, customer.token))).toEqual([400, 'BAD_PARAMS']);
    expect(code(await http(tandem.url, 'POST', at('/connect'), { transportId: send, dtlsParameters: { role: 'auto', fingerprints: [] }, x: 1 }, customer.token))).toEqual([400, 'BAD_PARAMS']);
    expect(code(await http(tandem.url, 'POST', at('/echo'), { transportId: send, sctpStreamParameters: { streamId: 4000 } }, customer.token))).toEqual([400, 'BAD_PARAMS']);
    expect(code(await http(tandem.url, 'POST', at('/echo'), { transportId: 'no-such-transport', sctpStreamParameters: { streamId: 0 } }, customer.token))).toEqual([404, 'NOT_FOUND']);
    expect(code(await http(tandem.url, 'POST', '/api/v1/network-test/..%2F..%2Fx/echo', {}, customer.token))[0]).toBe(400);
    // Another seat cannot touch this test.
    const other = await openSupportCall(tandem.url);
    expect(code(await http(tandem.url, 'DELETE', at(''), undefined, other.customer.token))).toEqual([404, 'NOT_FOUND']);
    expect((await http(tandem.url, 'DELETE', at(''), undefined, customer.token)).status).toBe(200);
    expect(code(await http(tandem.url, 'DELETE', at(''), undefined, customer.token))).toEqual([404, 'NOT_FOUND']);

    // Limited per token: a few in a row, then RATE_LIMITED (each new one replaces the last).
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await http(tandem.url, 'POST', '/api/v1/network-test', {}, customer.token)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect((await http(tandem.url, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('pre-call network test through 30 % loss each way', () => {
  it('says the connection is weak, with the loss it measured', async () => {
    const tandem = await startImpairedTandem({ up: { loss: 0.3 }, down: { loss: 0.3 }, seed: 4 });
    const context = await browser.createBrowserContext();
    try {
      const page = await newProbedPage(context);
      const shown = await previewVerdict(page, tandem.url);
      console.log(`[network-test] 30% loss: ${JSON.stringify(shown)}`);
      expect(shown.verdict).toBe('weak');
      expect(shown.text).toContain('Your connection is weak');
      if (shown.via === 'udp') {
        // There and back through 30 % each way: far above the clean run's 0 %.
        expect(shown.lossPercent).toBeGreaterThanOrEqual(15);
        expect(shown.text).toContain('Many packets get lost');
      }
      expect(tandem.link.counters().udp.up.droppedByLoss).toBeGreaterThan(0);
    } finally {
      await context.close();
      await tandem.stop();
    }
  });
});
