/**
 * `npm run bench`: how fast a customer gets into a call.
 * - join round trip over the wire, signaling + SFU only (no browser), 100 runs;
 * - in Chromium, 20 runs of: customer opens the link → preview → presses Join (at once)
 *   → the agent's video shows its first frame; plus that page's own join round trip.
 * Single node, one mediasoup worker, loopback, headless Chromium with fake devices.
 */
import { performance } from 'node:perf_hooks';
import type { CallTokenReply, CreatedSession, LoginReply } from '@tandem/protocol';
import { launchChromium, newProbedPage } from '../chromium.js';
import { agentOpensSession, byTestId, click } from '../pages.js';
import { SignalingClient } from '../SignalingClient.js';
import { TEST_AGENT, http, startTestTandem } from '../tandem.js';
import { table } from './stats.js';

const SIGNALING_RUNS = Number(process.env.BENCH_SIGNALING_RUNS ?? 100);
const BROWSER_RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 20);

async function signalingJoins(base: string): Promise<{ join: number[]; hello: number[] }> {
  const login = await http<LoginReply>(base, 'POST', '/api/v1/agent/login', { email: TEST_AGENT.email, password: TEST_AGENT.password });
  const capabilities = await http<{ routerRtpCapabilities: { codecs: unknown[] } }>(base, 'GET', '/api/v1/router-capabilities');
  const join: number[] = [];
  const hello: number[] = [];
  for (let i = 0; i < SIGNALING_RUNS; i++) {
    const session = await http<CreatedSession>(base, 'POST', '/api/v1/sessions', {}, login.body.token);
    const customer = await http<CallTokenReply>(base, 'POST', `/api/v1/join/${session.body.joinCode}`, {});
    const t0 = performance.now();
    const client = await SignalingClient.connect(base);
    await client.waitFor('hello');
    const t1 = performance.now();
    await client.join(customer.body.token, { rtpCapabilities: capabilities.body.routerRtpCapabilities as never });
    const t2 = performance.now();
    hello.push(t1 - t0);
    join.push(t2 - t1);
    await client.close();
  }
  return { join, hello };
}

interface BrowserSample {
  firstFrame: number[];
  preview: number[];
  joined: number[];
  media: number[];
  join: number[];
}

async function browserJoins(base: string): Promise<BrowserSample> {
  const browser = await launchChromium();
  const sample: BrowserSample = { firstFrame: [], preview: [], joined: [], media: [], join: [] };
  try {
    const agent = await newProbedPage(await browser.createBrowserContext());
    const link = await agentOpensSession(agent, base);
    for (let i = 0; i < BROWSER_RUNS; i++) {
      const context = await browser.createBrowserContext();
      const page = await newProbedPage(context);
      const t0 = performance.now();
      await page.goto(link);
      await click(page, 'join-button', 20_000);
      const tClick = performance.now();
      await page.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
      const tJoined = performance.now();
      await page.waitForFunction(
        (sel: string) => {
          const v = document.querySelector<HTMLVideoElement>(sel);
          return !!v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
        },
        { polling: 'raf', timeout: 30_000 },
        byTestId('remote-camera'),
      );
      const tFrame = performance.now();
      sample.firstFrame.push(tFrame - t0);
      sample.preview.push(tClick - t0);
      sample.joined.push(tJoined - tClick);
      sample.media.push(tFrame - tJoined);
      sample.join.push(...(await page.evaluate(() => window.__tandemProbe.joinRttMs)));
      await context.close();
    }
  } finally {
    await browser.dispose();
  }
  return sample;
}

async function main(): Promise<void> {
  const tandem = await startTestTandem({ env: { TANDEM_JOIN_RATE_PER_MIN: '1000000' } });
  try {
    const wire = await signalingJoins(tandem.url);
    const browser = await browserJoins(tandem.url);
    console.log(
      table('Tandem call setup — single node, 1 worker, loopback, headless Chromium (fake devices)', [
        { metric: 'WebSocket open → hello', sample: wire.hello },
        { metric: 'join round trip, signaling + SFU', sample: wire.join },
        { metric: 'join round trip, in the browser', sample: browser.join },
        { metric: 'link open → first remote video frame', sample: browser.firstFrame },
        { metric: '  of which: link open → Join clickable', sample: browser.preview },
        { metric: '  of which: Join pressed → in the call', sample: browser.joined },
        { metric: '  of which: in the call → first frame', sample: browser.media },
      ]),
    );
  } finally {
    await tandem.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
