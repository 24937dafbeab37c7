import type { Page } from 'puppeteer-core';

export type Source = 'camera' | 'mic' | 'screen';

/** One remote track's inbound-rtp counters at the agent, as getStats reports them. */
export interface TrackStats {
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  freezeCount: number;
  totalFreezesDuration: number;
  concealedSamples: number;
  totalSamplesReceived: number;
  packetsReceived: number;
  /** Summed seconds frames/samples waited in the jitter buffer, and how many left it. */
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
}

export interface Sample {
  /** ms, Node's clock. */
  at: number;
  tracks: Partial<Record<Source, TrackStats>>;
}

/**
 * Reads, on the agent's page, the receiver stats of each of the customer's tracks. The
 * page's Room says which track is which source; the receiver holding that track gives
 * its inbound-rtp.
 */
export async function sampleReceiver(page: Page): Promise<Sample> {
  const tracks = await page.evaluate(async () => {
    type Remote = { source: string; track: MediaStreamTrack };
    const room = (window as unknown as { tandemRoom?: { remoteTracks: Map<string, Remote> } }).tandemRoom;
    const out: Record<string, Record<string, number>> = {};
    if (!room) return out;
    const receivers = window.__tandemProbe.pcs.filter((pc) => pc.connectionState !== 'closed').flatMap((pc) => pc.getReceivers());
    for (const remote of room.remoteTracks.values()) {
      const receiver = receivers.find((r) => r.track === remote.track);
      if (!receiver) continue;
      (await receiver.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        const n = (k: string): number => (typeof s[k] === 'number' ? (s[k] as number) : 0);
        out[remote.source] = {
          framesDecoded: n('framesDecoded'),
          frameWidth: n('frameWidth'),
          frameHeight: n('frameHeight'),
          freezeCount: n('freezeCount'),
          totalFreezesDuration: n('totalFreezesDuration'),
          concealedSamples: n('concealedSamples'),
          totalSamplesReceived: n('totalSamplesReceived'),
          packetsReceived: n('packetsReceived'),
          jitterBufferDelay: n('jitterBufferDelay'),
          jitterBufferEmittedCount: n('jitterBufferEmittedCount'),
        };
      });
    }
    return out;
  });
  return { at: Date.now(), tracks: tracks as Sample['tracks'] };
}

/** The source has shown media: a decoded frame, or audio samples played out. */
export function hasMedia(sample: Sample, source: Source): boolean {
  const t = sample.tracks[source];
  if (!t) return false;
  return source === 'mic' ? t.totalSamplesReceived > 0 && t.packetsReceived > 0 : t.framesDecoded > 0;
}

/** What one track did between two samples. */
export interface Window {
  fps: number;
  /** Median decoded height over the samples of the window (robust to one odd reading). */
  height: number;
  width: number;
  freezes: number;
  freezeSeconds: number;
  /** concealed / received samples, 0..1. */
  concealment: number;
}

export function windowOf(samples: readonly Sample[], source: Source): Window | null {
  const first = samples[0]?.tracks[source];
  const lastSample = samples[samples.length - 1];
  const last = lastSample?.tracks[source];
  if (!first || !last || !lastSample || samples.length < 2) return null;
  const seconds = (lastSample.at - samples[0]!.at) / 1000;
  const sizes = samples.map((s) => s.tracks[source]).filter((t): t is TrackStats => !!t && t.frameHeight > 0);
  const mid = [...sizes].sort((a, b) => a.frameHeight - b.frameHeight)[Math.floor(sizes.length / 2)];
  const samplesIn = last.totalSamplesReceived - first.totalSamplesReceived;
  return {
    fps: seconds > 0 ? (last.framesDecoded - first.framesDecoded) / seconds : 0,
    height: mid?.frameHeight ?? 0,
    width: mid?.frameWidth ?? 0,
    freezes: last.freezeCount - first.freezeCount,
    freezeSeconds: last.totalFreezesDuration - first.totalFreezesDuration,
    concealment: samplesIn > 0 ? (last.concealedSamples - first.concealedSamples) / samplesIn : 1,
  };
}

/**
 * "Full quality" for recovery: the picture as tall as before the drop at ≥ 70 % of its
 * frame rate, or audio with no more concealment than before plus 2 points.
 */
export function isFullQuality(recent: readonly Sample[], source: Source, before: Window): boolean {
  const now = windowOf(recent, source);
  if (!now) return false;
  const last = recent[recent.length - 1]?.tracks[source];
  if (source === 'mic') return now.concealment <= before.concealment + 0.02;
  return (last?.frameHeight ?? 0) >= before.height && now.fps >= 0.7 * before.fps && now.fps > 0;
}
