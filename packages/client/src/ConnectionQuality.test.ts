import { describe, expect, it } from 'vitest';
import { assessQuality, type ConnectionQuality, type QualitySample } from './ConnectionQuality.js';
import { QualityMonitor } from './QualityMonitor.js';
import { readQualitySample, type SampleContext } from './QualityStats.js';

/**
 * Fixture stats shaped like Chrome's getStats() of a mediasoup-client send and receive
 * transport (camera with 3 simulcast layers + mic up; camera + mic down), advanced by
 * realistic per-2-s increments.
 */
interface Link {
  /** Per second. */
  sendKbps: number;
  sendPackets: number;
  remoteLoss: number;
  estimateKbps: number;
  rttS: number;
  /** Frames per second per simulcast layer (r0, r1, r2). */
  layerFps: [number, number, number];
  bandwidthLimited: boolean;
  recvPackets: number;
  recvLoss: number;
  audioJitterS: number;
  videoFps: number;
  frozenPerS: number;
  recvAlive: boolean;
}

const clean: Link = {
  sendKbps: 1800, sendPackets: 220, remoteLoss: 0, estimateKbps: 2500, rttS: 0.04, layerFps: [30, 30, 30], bandwidthLimited: false,
  recvPackets: 230, recvLoss: 0, audioJitterS: 0.004, videoFps: 30, frozenPerS: 0, recvAlive: true,
};

/** Our unmuted mic and camera; the agent's mic and camera, not paused. */
const live = { sending: new Set(['mic-track', 'cam-track']), receiving: new Set(['agent-mic', 'agent-cam']) };

class FakeCall {
  t = 0;
  readonly c = { sent: 0, bytesSent: 0, remoteLost: 0, layerFrames: [0, 0, 0], limited: 0, recv: 0, bytesRecv: 0, lost: 0, decoded: 0, frozen: 0 };

  /** Advances `seconds` under `link` and returns the two reports at the end. */
  advance(link: Link, seconds = 2): { send: Map<string, unknown>; recv: Map<string, unknown> } {
    const c = this.c;
    this.t += seconds * 1000;
    c.sent += link.sendPackets * seconds;
    c.bytesSent += (link.sendKbps * 1000 * seconds) / 8;
    c.remoteLost += Math.round(link.sendPackets * seconds * link.remoteLoss);
    link.layerFps.forEach((fps, i) => (c.layerFrames[i]! += fps * seconds));
    if (link.bandwidthLimited) c.limited += seconds;
    if (link.recvAlive) {
      const arriving = link.recvPackets * seconds;
      c.lost += Math.round(arriving * link.recvLoss);
      c.recv += Math.round(arriving * (1 - link.recvLoss));
      c.bytesRecv += (link.sendKbps * 1000 * seconds) / 8;
    }
    c.decoded += link.videoFps * seconds;
    c.frozen += link.frozenPerS * seconds;
    const send = new Map<string, unknown>([
      ['T01', { type: 'transport', id: 'T01', selectedCandidatePairId: 'CP1' }],
      ['CP1', { type: 'candidate-pair', id: 'CP1', state: 'succeeded', nominated: true, currentRoundTripTime: link.rttS, availableOutgoingBitrate: link.estimateKbps * 1000 }],
      ['SV', { type: 'media-source', id: 'SV', kind: 'video', trackIdentifier: 'cam-track' }],
      ['SA', { type: 'media-source', id: 'SA', kind: 'audio', trackIdentifier: 'mic-track' }],
      ['OA', { type: 'outbound-rtp', id: 'OA', kind: 'audio', mediaSourceId: 'SA', packetsSent: c.sent * 0.2, bytesSent: c.bytesSent * 0.03 }],
      ['RA', { type: 'remote-inbound-rtp', id: 'RA', kind: 'audio', localId: 'OA', packetsLost: c.remoteLost * 0.2, roundTripTime: link.rttS, fractionLost: link.remoteLoss }],
    ]);
    c.layerFrames.forEach((frames, i) => {
      send.set(`OV${i}`, {
        type: 'outbound-rtp', id: `OV${i}`, kind: 'video', rid: `r${i}`, mediaSourceId: 'SV', framesSent: frames,
        packetsSent: (c.sent * 0.8) / 3, bytesSent: (c.bytesSent * 0.97) / 3,
        qualityLimitationReason: link.bandwidthLimited ? 'bandwidth' : 'none',
        qualityLimitationDurations: { none: this.t / 1000 - c.limited, bandwidth: c.limited, cpu: 0, other: 0 },
      });
      send.set(`RV${i}`, { type: 'remote-inbound-rtp', id: `RV${i}`, kind: 'video', localId: `OV${i}`, packetsLost: (c.remoteLost * 0.8) / 3, roundTripTime: link.rttS });
    });
    const recv = new Map<string, unknown>([
      ['T02', { type: 'transport', id: 'T02', selectedCandidatePairId: 'CP2' }],
      ['CP2', { type: 'candidate-pair', id: 'CP2', state: 'succeeded', nominated: true, currentRoundTripTime: link.rttS }],
      ['IA', { type: 'inbound-rtp', id: 'IA', kind: 'audio', trackIdentifier: 'agent-mic', packetsReceived: c.recv * 0.2, packetsLost: c.lost * 0.2, bytesReceived: c.bytesRecv * 0.03, jitter: link.audioJitterS }],
      ['IV', {
        type: 'inbound-rtp', id: 'IV', kind: 'video', trackIdentifier: 'agent-cam', packetsReceived: c.recv * 0.8, packetsLost: c.lost * 0.8,
        bytesReceived: c.bytesRecv * 0.97, jitter: 0.02, framesDecoded: c.decoded, totalFreezesDuration: c.frozen, freezeCount: Math.ceil(c.frozen),
      }],
      // A consumer closed earlier leaves its stats behind, frozen: never judged.
      ['IVold', { type: 'inbound-rtp', id: 'IVold', kind: 'video', trackIdentifier: 'old-cam', packetsReceived: 900, packetsLost: 0, framesDecoded: 300, totalFreezesDuration: 0 }],
    ]);
    return { send, recv };
  }

  /** A reading the way the Room takes it: transports connected since t=0. */
  read(link: Link, overrides: Partial<SampleContext> = {}, seconds = 2): QualitySample {
    const { send, recv } = this.advance(link, seconds);
    return readQualitySample(send, recv, {
      at: this.t, linkId: 'L1', roomState: 'connected', sendState: 'connected', recvState: 'connected', mediaSince: 0,
      sendingTrackIds: live.sending, receivingTrackIds: live.receiving, ...overrides,
    });
  }
}

/** The verdict after 10 s of clean call (past the send estimate's warm-up) and one 2 s interval under `link`. */
function judge(link: Partial<Link>, context: Partial<SampleContext> = {}): ConnectionQuality {
  const call = new FakeCall();
  let previous = call.read(clean, {}, 10);
  const sample = call.read({ ...clean, ...link }, context);
  return assessQuality(sample, previous);
}

describe('assessQuality', () => {
  it('calls a clean call good, with its figures', () => {
    const quality = judge({});
    expect(quality).toMatchObject({ level: 'good', reasons: [], rttMs: 40 });
    expect(quality.upload).toMatchObject({ bitrateKbps: 1800, availableKbps: 2500, lossPercent: 0, videoPaused: false });
    expect(quality.download).toMatchObject({ lossPercent: 0, jitterMs: 4, frozenPercent: 0, videoPaused: false });
  });

  it('judges loss the SFU reports for our upload: 5 % fair, 15 % poor', () => {
    expect(judge({ remoteLoss: 0.03 }).level).toBe('good');
    expect(judge({ remoteLoss: 0.06 })).toMatchObject({ level: 'fair', reasons: ['upload-weak'] });
    const poor = judge({ remoteLoss: 0.2 });
    expect(poor).toMatchObject({ level: 'poor', reasons: ['upload-weak'] });
    expect(poor.upload.lossPercent).toBeCloseTo(16.7, 0); // 20 lost per 100 sent: 20 of 120 packets
  });

  it('judges a low send estimate once warmed up: < 250 kbps fair, < 100 kbps poor', () => {
    expect(judge({ estimateKbps: 300 }).level).toBe('good');
    expect(judge({ estimateKbps: 200, layerFps: [15, 0, 0] })).toMatchObject({ level: 'fair', reasons: ['upload-weak'] });
    expect(judge({ estimateKbps: 80, layerFps: [5, 0, 0] })).toMatchObject({ level: 'poor', reasons: ['upload-weak'] });
    // Chrome starts every call at a 300 kbps estimate and ramps up: not judged in the first 8 s.
    expect(judge({ estimateKbps: 200 }, { mediaSince: 9_000 }).level).toBe('good');
  });

  it('counts an encoder held back by bandwidth as a weak upload only when the estimate is low', () => {
    expect(judge({ bandwidthLimited: true, estimateKbps: 450, layerFps: [30, 30, 0] })).toMatchObject({ level: 'fair', reasons: ['upload-weak'] });
    expect(judge({ bandwidthLimited: true, estimateKbps: 1500 }).level).toBe('good');
  });

  it('says our video paused (to keep audio) when all camera layers stopped, and blames a weak upload', () => {
    const quality = judge({ layerFps: [0, 0, 0], estimateKbps: 90, sendKbps: 40 });
    expect(quality).toMatchObject({ level: 'poor', reasons: ['upload-weak', 'video-paused'] });
    expect(quality.upload.videoPaused).toBe(true);
    // Top layers dropped by the estimate is simulcast doing its job, not a pause.
    expect(judge({ layerFps: [30, 0, 0], estimateKbps: 700 }).reasons).toEqual([]);
    // A camera the user turned off is not "paused".
    expect(judge({ layerFps: [0, 0, 0] }, { sendingTrackIds: new Set(['mic-track']) }).reasons).toEqual([]);
  });

  it('judges download loss, audio jitter and freezes', () => {
    expect(judge({ recvLoss: 0.07 })).toMatchObject({ level: 'fair', reasons: ['download-weak'] });
    expect(judge({ recvLoss: 0.3 })).toMatchObject({ level: 'poor', reasons: ['download-weak'] });
    expect(judge({ recvLoss: 0.3 }).download.lossPercent).toBeCloseTo(30, 0);
    expect(judge({ audioJitterS: 0.06 })).toMatchObject({ level: 'fair', reasons: ['download-weak'] });
    expect(judge({ audioJitterS: 0.12 }).level).toBe('poor');
    expect(judge({ frozenPerS: 0.1, videoFps: 25 })).toMatchObject({ level: 'fair', reasons: ['download-weak'] });
    const frozen = judge({ frozenPerS: 0.5, videoFps: 10 });
    expect(frozen).toMatchObject({ level: 'poor', reasons: ['download-weak'] });
    expect(frozen.download.frozenPercent).toBe(50);
  });

  it('says the video we watch paused when no frame arrives and its sender did not pause it', () => {
    expect(judge({ videoFps: 0 })).toMatchObject({ level: 'poor', reasons: ['video-paused'] });
    expect(judge({ videoFps: 0 }, { receivingTrackIds: new Set(['agent-mic']) }).reasons).toEqual([]);
  });

  it('flags a round trip over 300 ms fair and over 600 ms poor', () => {
    expect(judge({ rttS: 0.25 }).level).toBe('good');
    expect(judge({ rttS: 0.32 })).toMatchObject({ level: 'fair', reasons: ['high-latency'], rttMs: 320 });
    expect(judge({ rttS: 0.7 })).toMatchObject({ level: 'poor', reasons: ['high-latency'] });
  });

  it('is lost when media stops arriving or a transport lost ICE, fair while only the socket resumes', () => {
    expect(judge({ recvAlive: false })).toMatchObject({ level: 'lost', reasons: ['download-weak'] });
    expect(judge({}, { recvState: 'disconnected' })).toMatchObject({ level: 'lost', reasons: ['reconnecting'] });
    expect(judge({}, { roomState: 'reconnecting' })).toMatchObject({ level: 'fair', reasons: ['reconnecting'] });
    const call = new FakeCall();
    const none = readQualitySample(null, null, {
      at: 1, linkId: null, roomState: 'reconnecting', sendState: null, recvState: null, mediaSince: null, sendingTrackIds: live.sending, receivingTrackIds: live.receiving,
    });
    expect(assessQuality(none, call.read(clean))).toMatchObject({ level: 'lost', reasons: ['reconnecting'] });
  });

  it('orders several reasons most important first and takes the worst level', () => {
    const quality = judge({ remoteLoss: 0.06, recvLoss: 0.2, rttS: 0.4, layerFps: [0, 0, 0], estimateKbps: 90 });
    expect(quality.level).toBe('poor');
    expect(quality.reasons).toEqual(['upload-weak', 'download-weak', 'video-paused', 'high-latency']);
  });

  it('does not compare counters across a rejoin or over too short an interval', () => {
    const call = new FakeCall();
    const before = call.read(clean, {}, 10);
    const afterRejoin = readQualitySample(new Map(), new Map(), {
      at: call.t + 2000, linkId: 'L2', roomState: 'connected', sendState: 'connected', recvState: 'connected', mediaSince: call.t, sendingTrackIds: live.sending, receivingTrackIds: live.receiving,
    });
    expect(assessQuality(afterRejoin, before).level).toBe('good');
    const soon = call.read({ ...clean, recvAlive: false }, {}, 0.3);
    expect(assessQuality(soon, before).level).toBe('good');
  });

  it('survives garbage in the reports', () => {
    const junk = new Map<string, unknown>([['x', null], ['y', 'z'], ['o', { type: 'outbound-rtp', bytesSent: 'lots', packetsSent: NaN }], ['i', { type: 'inbound-rtp', kind: 'video', trackIdentifier: 7 }]]);
    const context: SampleContext = { at: 5000, linkId: 'L', roomState: 'connected', sendState: 'connected', recvState: 'connected', mediaSince: 0, sendingTrackIds: live.sending, receivingTrackIds: live.receiving };
    const throwing = { forEach: () => { throw new Error('closed'); } };
    const sample = readQualitySample(junk, throwing, context);
    expect(assessQuality(sample, readQualitySample(junk, junk, { ...context, at: 2000 })).level).toBe('good');
  });
});

describe('QualityMonitor', () => {
  /** A monitor fed a scripted series of links, 2 s apart. */
  function monitor(script: Partial<Link>[]): { verdicts: string[]; run: () => Promise<void> } {
    const call = new FakeCall();
    call.read(clean, {}, 10); // past the warm-up
    const verdicts: string[] = [];
    let step = 0;
    const quality = new QualityMonitor({
      read: async () => call.read({ ...clean, ...script[step++] }),
      changed: (q) => verdicts.push(`${q.level}:${q.reasons.join('+')}`),
      intervalMs: 0,
    });
    return { verdicts, run: async () => { for (let i = 0; i < script.length; i++) await quality.refresh(); } };
  }

  it('emits only when the level or the reasons change, worse at once, better after two readings', async () => {
    const { verdicts, run } = monitor([
      {}, {}, {}, // good, good, good: one emission
      { recvLoss: 0.07 }, { recvLoss: 0.08 }, // fair at once, then unchanged
      { recvLoss: 0.2 }, // poor at once
      {}, // one good reading is not enough
      {}, // the second one is: good
      { recvLoss: 0.07 }, {}, { recvLoss: 0.07 }, // a flicker around the threshold: fair, and stays fair
      { recvLoss: 0.07, rttS: 0.35 }, // same level, a new reason: shown
    ]);
    await run();
    expect(verdicts).toEqual(['good:', 'fair:download-weak', 'poor:download-weak', 'good:', 'fair:download-weak', 'fair:download-weak+high-latency']);
  });

  it('stops: no reading and no event after stop', async () => {
    let reads = 0;
    const quality = new QualityMonitor({ read: async () => (reads++, null), changed: () => expect.fail('no verdict'), intervalMs: 0 });
    await quality.refresh();
    quality.stop();
    await quality.refresh();
    expect(reads).toBe(1);
  });

  it('keeps going when a reading fails', async () => {
    const seen: ConnectionQuality[] = [];
    const quality = new QualityMonitor({ read: () => Promise.reject(new Error('pc closed')), changed: (q) => seen.push(q), intervalMs: 0 });
    await expect(quality.refresh()).resolves.toBeUndefined();
    expect(seen).toEqual([]);
  });
});
