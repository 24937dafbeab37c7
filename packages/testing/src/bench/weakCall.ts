import type { BrowserContext, Page } from 'puppeteer-core';
import { newProbedPage } from '../chromium.js';
import { IMPAIRED_MEDIA_HOST } from '../netem/index.js';
import { agentOpensSession, byTestId, click } from '../pages.js';
import { hasMedia, sampleReceiver, type Sample, type Source } from './receiverStats.js';

export type Profile = 'tandem' | 'plain';

export interface OpenedCall {
  agent: Page;
  customer: Page;
  /** ms from the customer pressing Join (camera, mic) or accepting the share (screen) to its first media at the agent. */
  firstMediaMs: Partial<Record<Source, number>>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const query = (profile: Profile): string => (profile === 'plain' ? '?media=plain' : '');

/**
 * The agent's media skips the weak network: the page swaps the proxied SFU address for
 * the real one in every remote description, so only the customer's link is impaired.
 */
async function agentPage(context: BrowserContext): Promise<Page> {
  const page = await newProbedPage(context);
  await page.evaluateOnNewDocument((proxied: string) => {
    type SetRemote = (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) => Promise<void>;
    const set = RTCPeerConnection.prototype.setRemoteDescription as SetRemote;
    RTCPeerConnection.prototype.setRemoteDescription = function (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) {
      const sdp = description?.sdp?.split(proxied).join('127.0.0.1');
      return set.call(this, description && sdp !== undefined ? { type: description.type, sdp } : description);
    } as typeof RTCPeerConnection.prototype.setRemoteDescription;
  }, IMPAIRED_MEDIA_HOST);
  return page;
}

/** Waits until each source shows media at the agent; returns when it did (ms) per source. */
async function firstMedia(agent: Page, sources: Source[], since: number, timeoutMs: number): Promise<Partial<Record<Source, number>>> {
  const seen: Partial<Record<Source, number>> = {};
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && sources.some((s) => seen[s] === undefined)) {
    const sample: Sample = await sampleReceiver(agent).catch(() => ({ at: Date.now(), tracks: {} }));
    for (const source of sources) if (seen[source] === undefined && hasMedia(sample, source)) seen[source] = sample.at - since;
    await sleep(100);
  }
  return seen;
}

/**
 * A support call as people make it: the agent signs in and opens a session, the customer
 * joins from the link, the agent asks for the screen and the customer accepts. Both pages
 * use `profile` (`?media=plain` for mediasoup-client's defaults).
 */
export async function openWeakCall(contexts: [BrowserContext, BrowserContext], base: string, profile: Profile): Promise<OpenedCall> {
  const agent = await agentPage(contexts[0]);
  const customer = await newProbedPage(contexts[1]);
  const link = await agentOpensSession(agent, base, query(profile));

  await customer.goto(`${link}${query(profile)}`);
  await customer.waitForSelector(byTestId('display-name'), { visible: true });
  await customer.$eval(byTestId('display-name'), (el) => ((el as HTMLInputElement).value = ''));
  await customer.type(byTestId('display-name'), 'Chen');
  await click(customer, 'join-button');
  const joinedAt = Date.now();
  await customer.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
  const firstMediaMs = await firstMedia(agent, ['camera', 'mic'], joinedAt, 30_000);

  await click(agent, 'ask-screen');
  await customer.waitForSelector(byTestId('screen-consent'), { visible: true, timeout: 30_000 });
  await click(customer, 'consent-accept');
  const acceptedAt = Date.now();
  Object.assign(firstMediaMs, await firstMedia(agent, ['screen'], acceptedAt, 30_000));
  return { agent, customer, firstMediaMs };
}
