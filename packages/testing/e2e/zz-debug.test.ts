import { it } from 'vitest';
import { agentOpensSession, customerJoins, launchChromium, newProbedPage, startTestTandem } from '../src/index.js';
it('debug', async () => {
  const tandem = await startTestTandem({ env: { LOG_LEVEL: 'info' } });
  const browser = await launchChromium();
  const a = await newProbedPage(await browser.createBrowserContext());
  const c = await newProbedPage(await browser.createBrowserContext());
  for (const [n, p] of [['agent', a], ['cust', c]] as const) {
    p.on('console', (m) => console.log(n, m.type(), m.text()));
    p.on('pageerror', (e) => console.log(n, 'PAGEERROR', e.message));
  }
  try {
    const link = await agentOpensSession(a, tandem.url);
    console.log('LINK', link);
    await customerJoins(c, link);
    await new Promise((r) => setTimeout(r, 6000));
    for (const [n, p] of [['agent', a], ['cust', c]] as const) {
      console.log(n, JSON.stringify(await p.evaluate(async () => {
        const out: unknown[] = [];
        for (const pc of window.__tandemProbe.pcs) {
          const st: unknown[] = [];
          (await pc.getStats()).forEach((s: any) => { if (['inbound-rtp','outbound-rtp','candidate-pair','transport'].includes(s.type)) st.push({t: s.type, k: s.kind, st: s.state, pr: s.packetsReceived, ps: s.packetsSent, fd: s.framesDecoded, dtls: s.dtlsState, sel: s.selectedCandidatePairId, nom: s.nominated}); });
          out.push({ cs: pc.connectionState, ice: pc.iceConnectionState, st });
        }
        const room = (window as any).tandemRoom;
        return { out, tracks: room ? [...room.remoteTracks.values()].map((t: any) => [t.source, t.kind, t.paused, t.track.readyState, t.track.muted]) : null };
      })));
    }
  } catch (e) { console.log('FAILED', e); }
  await a.screenshot({ path: '/tmp/dbg/agent.png' });
  await c.screenshot({ path: '/tmp/dbg/cust.png' });
  await browser.dispose(); await tandem.stop();
}, 120000);
