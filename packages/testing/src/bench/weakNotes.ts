import type { Page } from 'puppeteer-core';
import { sampleReceiver } from './receiverStats.js';

/** Why the sender encodes what it does (cpu / bandwidth), for the log: explains the table. */
export async function senderNote(customer: Page): Promise<string> {
  return customer.evaluate(async () => {
    const notes: string[] = [];
    for (const pc of window.__tandemProbe.pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
        notes.push(`${String(s.rid ?? s.ssrc)}:${String(s.frameHeight ?? 0)}p/${String(s.framesPerSecond ?? 0)}fps/${String(s.qualityLimitationReason ?? '?')}`);
      });
    }
    return notes.join(' ');
  });
}

/**
 * What the agent's audio receiver saw over the whole call: the share of packets lost,
 * the share of received packets that carried Opus in-band FEC (the redundancy that can
 * stand in for the packet before), and the jitter buffer it ran. Explains the
 * concealment column: with FEC in a fraction f of packets and loss p, at best
 * p × (1 − (1 − p) × f) of the audio is concealed.
 */
export async function audioNote(agent: Page): Promise<string> {
  return agent.evaluate(async () => {
    const notes: string[] = [];
    for (const pc of window.__tandemProbe.pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        const n = (k: string): number => (typeof s[k] === 'number' ? (s[k] as number) : 0);
        const received = n('packetsReceived');
        const lost = n('packetsLost');
        const pct = (v: number, of: number): string => `${of > 0 ? ((100 * v) / of).toFixed(0) : '-'} %`;
        const bufferMs = n('jitterBufferEmittedCount') > 0 ? (1000 * n('jitterBufferDelay')) / n('jitterBufferEmittedCount') : 0;
        notes.push(`lost ${pct(lost, lost + received)}, FEC in ${pct(n('fecPacketsReceived'), received)} of packets, jitter buffer ${bufferMs.toFixed(0)} ms`);
      });
    }
    return notes.join('; ');
  });
}

/**
 * Mean jitter-buffer delay per remote track at the agent over the call. A track synced to
 * the voice (the camera) waits as long as the voice does; the screen, unsynced, need not.
 */
export async function playoutNote(agent: Page): Promise<string> {
  const { tracks } = await sampleReceiver(agent);
  const notes = Object.entries(tracks).map(([source, t]) =>
    `${source} ${t.jitterBufferEmittedCount > 0 ? ((1000 * t.jitterBufferDelay) / t.jitterBufferEmittedCount).toFixed(0) : '-'} ms`,
  );
  return `playout delay: ${notes.join(', ')}`;
}
