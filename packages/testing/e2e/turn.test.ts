import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import {
  agentOpensSession,
  byTestId,
  customerJoins,
  http,
  launchChromium,
  newProbedPage,
  openSupportCall,
  startTestTandem,
  startTurnServer,
  waitForLiveVideo,
  type TestTandem,
  type TestTurnServer,
} from '../src/index.js';

/**
 * A customer whose network allows nothing but a TURN relay, through Debian's coturn
 * with credentials Tandem issued for this join. The page is the real join page; the
 * test only forces its peer connections to relay-only, as such a network would (the
 * SDK's own switch is RoomOptions.iceTransportPolicy). A forced page that did not get
 * Tandem's TURN servers would have no candidate at all and never connect.
 */
const SECRET = 'turn-secret-for-the-e2e-test-0123456789';

declare global {
  interface Window {
    __relayOnly: { servers: RTCIceServer[][] };
  }
}

async function relayOnlyPage(browser: Awaited<ReturnType<typeof launchChromium>>): Promise<Page> {
  const page = await newProbedPage(await browser.createBrowserContext());
  await page.evaluateOnNewDocument(() => {
    const seen = { servers: [] as RTCIceServer[][] };
    window.__relayOnly = seen;
    const Probed = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Probed {
      constructor(config?: RTCConfiguration) {
        seen.servers.push(config?.iceServers ?? []);
        super({ ...config, iceTransportPolicy: 'relay' });
      }
    } as typeof RTCPeerConnection;
  });
  return page;
}

/** Local candidate types of the selected pair of every connected peer connection on the page. */
function selectedLocalCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const types: string[] = [];
    for (const pc of window.__tandemProbe.pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      for (const s of stats.values()) {
        if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
        const pair = stats.get(s.selectedCandidatePairId);
        const local = pair ? stats.get(pair.localCandidateId as string) : undefined;
        types.push(String(local?.candidateType));
      }
    }
    return types;
  });
}

let browser: Awaited<ReturnType<typeof launchChromium>>;
let turn: TestTurnServer;
let tandem: TestTandem | undefined;

beforeAll(async () => {
  turn = await startTurnServer({ secret: SECRET });
  browser = await launchChromium();
});
afterEach(async () => {
  await tandem?.stop();
  tandem = undefined;
});
afterAll(async () => {
  await browser?.dispose();
  await turn?.stop();
});

describe('a customer behind a relay-only network', () => {
  it('is in a two-way call through coturn with credentials Tandem issued', async () => {
    tandem = await startTestTandem({ env: { TANDEM_TURN_URLS: turn.url, TANDEM_TURN_SECRET: SECRET, TANDEM_TURN_TTL_S: '600' } });
    const agent = await newProbedPage(await browser.createBrowserContext());
    const customer = await relayOnlyPage(browser);
    const link = await agentOpensSession(agent, tandem.url);
    const joinedAt = Math.floor(Date.now() / 1000);
    await customerJoins(customer, link);

    const atCustomer = await waitForLiveVideo(customer, byTestId('remote-camera'));
    const atAgent = await waitForLiveVideo(agent, byTestId('remote-camera'));
    expect(atCustomer.width).toBeGreaterThan(0);
    expect(atAgent.width).toBeGreaterThan(0);

    // Both transports ran through the relay...
    const types = await selectedLocalCandidateTypes(customer);
    expect(types.length).toBeGreaterThanOrEqual(2);
    expect(types.every((t) => t === 'relay')).toBe(true);
    // ...on credentials issued for this join: `<expiry>:<peerId>`, expiring with the TTL.
    const servers = (await customer.evaluate(() => window.__relayOnly.servers)).flat();
    expect(servers.length).toBeGreaterThan(0);
    for (const server of servers) {
      expect(server.urls).toEqual([turn.url]);
      const expiry = Number(String(server.username).split(':')[0]);
      expect(expiry).toBeGreaterThanOrEqual(joinedAt + 600);
      expect(expiry).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 600);
      expect(server.credential).not.toContain(SECRET);
    }
    // (The agent, on an open network, gets the same relay too; ICE may still pick it under
    // load, so nothing is asserted about the agent's path.)
    await agent.browserContext().close();
    await customer.browserContext().close();
  });

  it('cannot connect on a credential coturn does not accept, and the page says so; nothing crashes', async () => {
    // Tandem signs with a secret coturn does not share: every credential is wrong.
    tandem = await startTestTandem({
      env: { TANDEM_TURN_URLS: turn.url, TANDEM_TURN_SECRET: `${SECRET}-not-coturns`, TANDEM_TURN_TTL_S: '600' },
    });
    const { session } = await openSupportCall(tandem.url);
    const customer = await relayOnlyPage(browser);
    await customerJoins(customer, `${tandem.url}/j/${session.joinCode}`);
    const shown = await customer.waitForSelector(byTestId('error-message'), { visible: true, timeout: 45_000 });
    expect(await shown!.evaluate((el) => (el as HTMLElement).dataset.code)).toBe('MEDIA_ERROR');
    // No media flowed, and no peer connection got anywhere.
    const states = await customer.evaluate(() => window.__tandemProbe.pcs.map((pc) => pc.connectionState));
    expect(states.length).toBeGreaterThan(0);
    expect(states).not.toContain('connected');
    expect(await customer.$(byTestId('call-view'))).not.toBeNull();
    // coturn refused exactly the credential Tandem issued for this join.
    const issued = (await customer.evaluate(() => window.__relayOnly.servers)).flat();
    expect(issued.length).toBeGreaterThan(0);
    expect(await turn.log()).toContain(`Cannot find credentials of user <${String(issued[0]!.username)}>`);
    // The server carries on: healthy, and the next customer's join code still redeems.
    expect((await http(tandem.url, 'GET', '/healthz')).status).toBe(200);
    expect((await openSupportCall(tandem.url)).customer.token.length).toBeGreaterThan(16);
    await customer.browserContext().close();
  });
});
