import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'puppeteer-core';
import {
  agentOpensSession,
  byTestId,
  chatLines,
  click,
  customerJoins,
  inboundTotals,
  launchChromium,
  newProbedPage,
  sendChat,
  startTestTandem,
  waitForAudio,
  waitForChatLine,
  waitForLiveVideo,
  videoProgress,
  measureMediaGap,
  type TestTandem,
} from '../src/index.js';

/**
 * A customer and an agent, each in their own browser profile, through the real SFU:
 * what each of them would notice, asserted on decoded frames and received packets.
 */
let tandem: TestTandem;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let agentContext: BrowserContext;
let customerContext: BrowserContext;
let agent: Page;
let customer: Page;
let link: string;
const shots = process.env.TANDEM_SCREENSHOT_DIR;

beforeAll(async () => {
  tandem = await startTestTandem();
  browser = await launchChromium();
  agentContext = await browser.createBrowserContext();
  customerContext = await browser.createBrowserContext();
  agent = await newProbedPage(agentContext);
  customer = await newProbedPage(customerContext);
});
afterAll(async () => {
  await browser?.dispose();
  await tandem?.stop();
});

describe('a support call in Chromium', () => {
  it('puts the customer and the agent in a two-way audio/video call from the link', async () => {
    link = await agentOpensSession(agent, tandem.url);
    expect(link).toMatch(new RegExp(`^${tandem.url.replace('127.0.0.1', '(127.0.0.1|localhost)')}/j/[A-Z0-9]{12}$`));
    await customerJoins(customer, link);
    const atAgent = await waitForLiveVideo(agent, `${byTestId('remote-camera')}`);
    const atCustomer = await waitForLiveVideo(customer, `${byTestId('remote-camera')}`);
    expect(atAgent.width).toBeGreaterThan(0);
    expect(atCustomer.width).toBeGreaterThan(0);
    await waitForAudio(agent);
    await waitForAudio(customer);
    expect((await inboundTotals(agent)).videoFramesDecoded).toBeGreaterThan(0);
  });

  it('stops sending what the customer mutes or turns off, and resumes when they turn it back on', async () => {
    await click(customer, 'mic-toggle');
    await customer.waitForSelector(`${byTestId('mic-toggle')}[aria-pressed="false"]`);
    await new Promise((r) => setTimeout(r, 1000)); // packets in flight drain
    const mutedFrom = (await inboundTotals(agent)).audioPackets;
    await new Promise((r) => setTimeout(r, 1500));
    // Opus sends ~50 packets a second: a muted mic must send (almost) none.
    expect((await inboundTotals(agent)).audioPackets - mutedFrom).toBeLessThan(5);
    await click(customer, 'mic-toggle');
    await waitForAudio(agent);

    await click(customer, 'cam-toggle');
    await customer.waitForSelector(`${byTestId('cam-toggle')}[aria-pressed="false"]`);
    await new Promise((r) => setTimeout(r, 1000));
    const frozen = await videoProgress(agent, byTestId('remote-camera'));
    await new Promise((r) => setTimeout(r, 1500));
    const later = await videoProgress(agent, byTestId('remote-camera'));
    expect((later?.frames ?? 0) - (frozen?.frames ?? 0)).toBeLessThan(3);
    await click(customer, 'cam-toggle');
    await waitForLiveVideo(agent, byTestId('remote-camera'));
  });

  it('captures nothing when the customer declines the screen request, and tells the agent', async () => {
    await click(agent, 'ask-screen');
    await customer.waitForSelector(byTestId('screen-consent'), { visible: true });
    await click(customer, 'consent-decline');
    await agent.waitForSelector(`${byTestId('screen-status')}[data-state="declined"]`, { timeout: 10_000 });
    expect(await customer.evaluate(() => window.__tandemProbe.displayMediaCalls)).toBe(0);
    expect(await agent.$(byTestId('remote-screen'))).toBeNull();
  });

  it('shows the customer screen at the agent after consent, and stops when the customer stops', async () => {
    await click(agent, 'ask-screen');
    await customer.waitForSelector(byTestId('screen-consent'), { visible: true });
    await click(customer, 'consent-accept');
    await customer.waitForSelector(byTestId('sharing-banner'), { visible: true, timeout: 10_000 });
    const screen = await waitForLiveVideo(agent, byTestId('remote-screen'));
    // Chromium's fake screen is 800x600: legibility means it arrives at full size.
    expect(screen.width).toBeGreaterThanOrEqual(640);
    await agent.waitForSelector(`${byTestId('screen-status')}[data-state="sharing"]`);
    if (shots) {
      await mkdir(shots, { recursive: true });
      await new Promise((r) => setTimeout(r, 1500));
      await agent.screenshot({ path: `${shots}/agent-console.png` });
      await customer.screenshot({ path: `${shots}/customer-page.png` });
    }
    await click(customer, 'stop-share');
    await customer.waitForSelector(byTestId('sharing-banner'), { hidden: true, timeout: 10_000 });
    await agent.waitForSelector(byTestId('remote-screen'), { hidden: true, timeout: 10_000 });
  });

  it('delivers chat both ways, and keeps it and the call across a reload on either side', async () => {
    await sendChat(customer, 'My printer says E42');
    await waitForChatLine(agent, 'My printer says E42');
    await sendChat(agent, '请重启打印机 (restart it)');
    await waitForChatLine(customer, '请重启打印机');

    await customer.reload();
    await customer.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
    await waitForChatLine(customer, 'My printer says E42');
    await waitForChatLine(customer, '请重启打印机');
    await waitForLiveVideo(customer, byTestId('remote-camera'));
    await waitForLiveVideo(agent, byTestId('remote-camera'));

    await agent.reload();
    await agent.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
    await waitForChatLine(agent, 'My printer says E42');
    await waitForLiveVideo(agent, byTestId('remote-camera'));
    await waitForLiveVideo(customer, byTestId('remote-camera'));
    expect((await chatLines(agent)).filter((l) => l.includes('E42'))).toHaveLength(1);
  });

  it('keeps the call when the signaling socket drops: the same peer resumes, media never stops, missed chat arrives', async () => {
    await waitForLiveVideo(agent, byTestId('remote-camera'));
    const gap = await measureMediaGap(agent, byTestId('remote-camera'), async () => {
      // The customer's socket dies as a network would take it (not a leave).
      await customer.evaluate(() => window.__tandemProbe.sockets.filter((s) => s.readyState === WebSocket.OPEN).forEach((s) => s.close(4999)));
      await sendChat(agent, 'said while you were away');
    });
    await waitForChatLine(customer, 'said while you were away');
    // Only the signaling socket was replaced: the picture does not freeze (0 here on a quiet
    // machine). A full rejoin instead would cost well over a second, which this bound catches.
    expect(gap).toBeLessThan(1000);
    const sockets = await customer.evaluate(() => window.__tandemProbe.sockets.map((s) => s.readyState));
    expect(sockets.filter((state) => state === 1 /* OPEN */)).toHaveLength(1);
    expect((await chatLines(customer)).filter((l) => l.includes('said while you were away'))).toHaveLength(1);
  });

  it('tells a customer with a dead link why, in their language', async () => {
    const page = await newProbedPage(customerContext, 'zh-CN');
    await page.goto(`${tandem.url}/j/ZZZZZZZZZZZZ`);
    const message = await page.waitForSelector(byTestId('error-message'), { visible: true, timeout: 10_000 });
    const text = await message!.evaluate((el) => el.textContent ?? '');
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    await page.close();
  });
});
