import type { ConnectionState } from './RoomTypes.js';

/** How usable the call is from this side, worst first: `lost` means no media gets through now. */
export type QualityLevel = 'good' | 'fair' | 'poor' | 'lost';

/**
 * Why the level is not `good`, in the user's terms:
 * - `upload-weak`: what we send does not get through well (low send estimate, far-end loss);
 * - `download-weak`: what we receive arrives lossy, jittery or frozen;
 * - `video-paused`: a picture stopped (ours, to keep the audio going, or the one we watch);
 * - `reconnecting`: the call's connection dropped and is being restored;
 * - `high-latency`: replies take long enough that people talk over each other.
 */
export type QualityReason = 'upload-weak' | 'download-weak' | 'video-paused' | 'reconnecting' | 'high-latency';

export interface UploadFigures {
  /** What we actually sent over the last interval, all media. */
  bitrateKbps: number;
  /** The browser's send bandwidth estimate (Chrome's availableOutgoingBitrate), when known. */
  availableKbps: number | null;
  /** Our packets the SFU reported lost (RTCP receiver reports), in %. */
  lossPercent: number;
  /** Our unmuted camera/screen stopped sending frames. */
  videoPaused: boolean;
}

export interface DownloadFigures {
  bitrateKbps: number;
  /** Packets that never arrived (after retransmissions), in %. */
  lossPercent: number;
  /** Worst audio inter-arrival jitter, ms. */
  jitterMs: number | null;
  /** Share of the interval a received video was frozen, in %. */
  frozenPercent: number;
  /** A received video the sender has not paused showed no new frame. */
  videoPaused: boolean;
}

export interface ConnectionQuality {
  level: QualityLevel;
  /** Most important first; empty when good. */
  reasons: QualityReason[];
  /** Round trip to the SFU, ms, when known. */
  rttMs: number | null;
  upload: UploadFigures;
  download: DownloadFigures;
}

/** Cumulative counters read from the transports' stats at one instant (see QualityStats.ts). */
export interface QualitySample {
  /** Milliseconds on a monotonic clock. */
  at: number;
  /** Which transports were read (counters restart with new ones after a rejoin). */
  linkId: string | null;
  roomState: ConnectionState;
  /** Both media transports connected; `down` once either lost ICE (disconnected/failed/none). */
  media: 'connected' | 'connecting' | 'down';
  /** Since when the media has been connected (same clock): the send estimate needs a warm-up. */
  mediaSince: number | null;
  rttMs: number | null;
  upload: {
    bytesSent: number;
    packetsSent: number;
    /** Cumulative loss the SFU reported back for our streams. */
    remotePacketsLost: number;
    availableKbps: number | null;
    /** Frames sent per unmuted video stream, keyed by stats id. */
    videoFrames: Record<string, number>;
    /** Seconds our video was held back by bandwidth (qualityLimitationDurations), summed. */
    bandwidthLimitedS: number;
  };
  download: {
    bytesReceived: number;
    packetsReceived: number;
    packetsLost: number;
    /** Received streams whose sender has not paused them: what should be arriving. */
    expecting: number;
    /** Worst jitter among those of them that are audio. */
    audioJitterMs: number | null;
    freezesS: number;
    /** Frames decoded per received video whose sender has not paused it, keyed by track id. */
    videoFrames: Record<string, number>;
  };
}

// Thresholds. Loss: opus in-band FEC and NACK hide a few percent; from 5 % video needs
// visible repairs (keyframes, lower layers), from 15 % audio concealment is heard and video
// is mostly frozen — the point where the user should know why.
const LOSS_FAIR = 5;
const LOSS_POOR = 15;
// RTT: ITU-T G.114 puts one-way delay up to ~150 ms as transparent; beyond 300 ms round trip
// people start talking over each other, beyond 600 ms a conversation needs turn-taking.
const RTT_FAIR_MS = 300;
const RTT_POOR_MS = 600;
// Audio jitter: the jitter buffer has to add about this much delay; 40 ms is still
// unnoticed, 100 ms adds audible delay and late-packet concealment.
const JITTER_FAIR_MS = 40;
const JITTER_POOR_MS = 100;
// Send estimate while we send video: the lowest camera layer plus audio needs ~150-250 kbps;
// below 250 only that layer fits, below 100 no picture fits next to the voice.
const SEND_FAIR_KBPS = 250;
const SEND_POOR_KBPS = 100;
// Chrome's estimate starts at 300 kbps and ramps up over the first seconds of sending;
// judging it (or the encoder's "bandwidth" limitation) sooner would flag every healthy call.
const SEND_WARMUP_MS = 8_000;
// Video held back by bandwidth for most of the interval, with an estimate this low, is a
// weak upload; above it the encoder is only ramping layers up.
const LIMITED_SHARE = 0.5;
const LIMITED_BELOW_KBPS = 600;
// Freezes (Chrome's freezeCount rule: a frame gap > 3x the average or +150 ms): one short
// freeze in 2 s is ≥ 7.5 %; a fifth of the time frozen is a picture that mostly stands still.
const FROZEN_FAIR = 5;
const FROZEN_POOR = 20;
/** Shorter intervals say too little (a frame gap, one RTCP report) to judge by. */
const MIN_INTERVAL_MS = 1_000;

const RANK: Record<QualityLevel, number> = { good: 0, fair: 1, poor: 2, lost: 3 };
const ORDER: readonly QualityReason[] = ['reconnecting', 'upload-weak', 'download-weak', 'video-paused', 'high-latency'];

export function worseLevel(a: QualityLevel, b: QualityLevel): QualityLevel {
  return RANK[b] > RANK[a] ? b : a;
}

export function isWorse(a: QualityLevel, than: QualityLevel): boolean {
  return RANK[a] > RANK[than];
}

/**
 * Judges the interval between `previous` and `sample` (rates need two readings; without a
 * previous one only state and round trip are judged). Pure: fixture stats in, verdict out.
 */
export function assessQuality(sample: QualitySample, previous?: QualitySample | null): ConnectionQuality {
  const reasons = new Set<QualityReason>();
  let level: QualityLevel = 'good';
  const flag = (reason: QualityReason, at: QualityLevel): void => {
    reasons.add(reason);
    level = worseLevel(level, at);
  };
  const bands = (value: number, fair: number, poor: number): QualityLevel | null =>
    value >= poor ? 'poor' : value >= fair ? 'fair' : null;

  const span = previous ? sample.at - previous.at : 0;
  const prev = previous && span >= MIN_INTERVAL_MS && previous.linkId === sample.linkId ? previous : null;
  const upload = uploadFigures(sample, prev, span);
  const download = downloadFigures(sample, prev, span);

  if (sample.roomState === 'disconnected' || sample.media === 'down') flag('reconnecting', 'lost');
  // The signalling socket is being resumed while media still flows: the call goes on.
  else if (sample.roomState === 'reconnecting') flag('reconnecting', 'fair');

  if (sample.media === 'connected') {
    const warm = sample.mediaSince !== null && sample.at - sample.mediaSince >= SEND_WARMUP_MS;
    const sendingVideo = Object.keys(sample.upload.videoFrames).length > 0;
    const lossLevel = bands(upload.lossPercent, LOSS_FAIR, LOSS_POOR);
    if (lossLevel) flag('upload-weak', lossLevel);
    if (warm && sendingVideo && upload.availableKbps !== null) {
      const estimate = upload.availableKbps < SEND_POOR_KBPS ? 'poor' : upload.availableKbps < SEND_FAIR_KBPS ? 'fair' : null;
      if (estimate) flag('upload-weak', estimate);
      const limited = prev ? (sample.upload.bandwidthLimitedS - prev.upload.bandwidthLimitedS) / (span / 1000) : 0;
      if (limited >= LIMITED_SHARE && upload.availableKbps < LIMITED_BELOW_KBPS) flag('upload-weak', 'fair');
    }
    if (upload.videoPaused) {
      flag('video-paused', 'poor');
      // Stopped on a link we also judge weak, or by bandwidth: the upload is the cause.
      if (warm && upload.availableKbps !== null && upload.availableKbps < LIMITED_BELOW_KBPS) flag('upload-weak', 'poor');
    }

    const downLoss = bands(download.lossPercent, LOSS_FAIR, LOSS_POOR);
    if (downLoss) flag('download-weak', downLoss);
    const jitter = download.jitterMs === null ? null : bands(download.jitterMs, JITTER_FAIR_MS, JITTER_POOR_MS);
    if (jitter) flag('download-weak', jitter);
    const frozen = bands(download.frozenPercent, FROZEN_FAIR, FROZEN_POOR);
    if (frozen) flag('download-weak', frozen);
    if (download.videoPaused) flag('video-paused', 'poor');
    if (prev && nothingArrived(sample, prev)) flag('download-weak', 'lost');

    const rtt = sample.rttMs === null ? null : bands(sample.rttMs, RTT_FAIR_MS, RTT_POOR_MS);
    if (rtt) flag('high-latency', rtt);
  }

  return { level, reasons: ORDER.filter((reason) => reasons.has(reason)), rttMs: sample.rttMs, upload, download };
}

/** Same verdict for the user: level and reasons (figures move all the time). */
export function sameVerdict(a: ConnectionQuality | null, b: ConnectionQuality): boolean {
  return a !== null && a.level === b.level && a.reasons.length === b.reasons.length && a.reasons.every((r, i) => r === b.reasons[i]);
}

function uploadFigures(sample: QualitySample, prev: QualitySample | null, span: number): UploadFigures {
  const now = sample.upload;
  const before = prev?.upload;
  const sent = before ? now.packetsSent - before.packetsSent : 0;
  const lost = before ? Math.max(0, now.remotePacketsLost - before.remotePacketsLost) : 0;
  return {
    bitrateKbps: before ? kbps(now.bytesSent - before.bytesSent, span) : 0,
    availableKbps: now.availableKbps,
    lossPercent: sent > 0 ? percent(lost, sent + lost) : 0,
    videoPaused: before ? stalled(now.videoFrames, before.videoFrames) : false,
  };
}

function downloadFigures(sample: QualitySample, prev: QualitySample | null, span: number): DownloadFigures {
  const now = sample.download;
  const before = prev?.download;
  const received = before ? Math.max(0, now.packetsReceived - before.packetsReceived) : 0;
  const lost = before ? Math.max(0, now.packetsLost - before.packetsLost) : 0;
  const frozenS = before ? Math.max(0, now.freezesS - before.freezesS) : 0;
  return {
    bitrateKbps: before ? kbps(now.bytesReceived - before.bytesReceived, span) : 0,
    lossPercent: received + lost > 0 ? percent(lost, received + lost) : 0,
    jitterMs: now.audioJitterMs,
    frozenPercent: before && span > 0 ? Math.min(100, round((frozenS * 1000 * 100) / span)) : 0,
    videoPaused: before ? stalled(now.videoFrames, before.videoFrames) : false,
  };
}

/** A video present in both readings whose frame counter did not move. */
function stalled(now: Record<string, number>, before: Record<string, number>): boolean {
  return Object.entries(now).some(([id, frames]) => before[id] !== undefined && frames <= before[id]);
}

/** Streams we expect (not paused by their sender) and not one packet in the interval. */
function nothingArrived(sample: QualitySample, prev: QualitySample): boolean {
  return sample.download.expecting > 0 && prev.download.expecting > 0 && sample.download.packetsReceived <= prev.download.packetsReceived;
}

const round = (value: number): number => Math.round(value * 10) / 10;
const percent = (part: number, whole: number): number => (whole > 0 ? round((part * 100) / whole) : 0);
const kbps = (bytes: number, ms: number): number => (ms > 0 ? Math.max(0, Math.round((bytes * 8) / ms)) : 0);
