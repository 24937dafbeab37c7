import type { QualitySample } from './ConnectionQuality.js';
import type { ConnectionState } from './RoomTypes.js';

/** What getStats() returns, as far as we rely on it: a Map-like report of plain records. */
export interface StatsReportLike {
  forEach(callback: (stat: unknown) => void): void;
}

/** The context a reading needs besides the two reports. */
export interface SampleContext {
  at: number;
  linkId: string | null;
  roomState: ConnectionState;
  /** connectionState of the send and receive transports; null when there is no link. */
  sendState: string | null;
  recvState: string | null;
  mediaSince: number | null;
  /**
   * Ids of our published tracks the user has not muted (a muted one's silence is wanted,
   * not a pause). Stats of anything else, e.g. a closed producer's, are not judged.
   */
  sendingTrackIds: ReadonlySet<string>;
  /** Ids of received tracks their sender has not paused (mic muted, camera off). */
  receivingTrackIds: ReadonlySet<string>;
}

type Stat = Record<string, unknown>;

/**
 * Turns the send and receive transports' stats (W3C webrtc-stats as Chrome fills them) into
 * the counters `assessQuality` compares. Unknown or malformed entries are skipped.
 */
export function readQualitySample(send: StatsReportLike | null, recv: StatsReportLike | null, context: SampleContext): QualitySample {
  const sendStats = list(send);
  const recvStats = list(recv);
  const sample: QualitySample = {
    at: context.at,
    linkId: context.linkId,
    roomState: context.roomState,
    media: mediaState(context.sendState, context.recvState),
    mediaSince: context.mediaSince,
    rttMs: null,
    upload: { bytesSent: 0, packetsSent: 0, remotePacketsLost: 0, availableKbps: null, videoFrames: {}, bandwidthLimitedS: 0 },
    download: { bytesReceived: 0, packetsReceived: 0, packetsLost: 0, expecting: 0, audioJitterMs: null, freezesS: 0, videoFrames: {} },
  };

  const sources = new Map<string, string>();
  for (const stat of sendStats) {
    if (stat.type === 'media-source' && typeof stat.id === 'string' && typeof stat.trackIdentifier === 'string') {
      sources.set(stat.id, stat.trackIdentifier);
    }
  }
  const up = sample.upload;
  for (const stat of sendStats) {
    if (stat.type === 'outbound-rtp') {
      up.bytesSent += num(stat.bytesSent);
      up.packetsSent += num(stat.packetsSent);
      const trackId = typeof stat.mediaSourceId === 'string' ? sources.get(stat.mediaSourceId) : undefined;
      if (stat.kind !== 'video' || trackId === undefined || !context.sendingTrackIds.has(trackId)) continue;
      // Summed per track: simulcast layers the estimate drops stop on their own; only all of
      // a track's layers standing still is a paused picture.
      up.videoFrames[trackId] = (up.videoFrames[trackId] ?? 0) + num(stat.framesSent);
      const durations = stat.qualityLimitationDurations as Stat | undefined;
      if (typeof durations === 'object' && durations !== null) up.bandwidthLimitedS = Math.max(up.bandwidthLimitedS, num(durations.bandwidth));
    } else if (stat.type === 'remote-inbound-rtp') {
      up.remotePacketsLost += Math.max(0, num(stat.packetsLost));
    }
  }
  up.availableKbps = selectedPair(sendStats, (pair) => (isNum(pair.availableOutgoingBitrate) ? Math.round(pair.availableOutgoingBitrate / 1000) : null));

  const down = sample.download;
  for (const stat of recvStats) {
    if (stat.type !== 'inbound-rtp') continue;
    down.bytesReceived += num(stat.bytesReceived);
    down.packetsReceived += num(stat.packetsReceived);
    down.packetsLost += Math.max(0, num(stat.packetsLost));
    const trackId = typeof stat.trackIdentifier === 'string' ? stat.trackIdentifier : undefined;
    if (trackId === undefined || !context.receivingTrackIds.has(trackId)) continue;
    down.expecting += 1;
    if (stat.kind === 'audio' && isNum(stat.jitter)) down.audioJitterMs = Math.max(down.audioJitterMs ?? 0, Math.round(stat.jitter * 1000));
    if (stat.kind === 'video') {
      down.videoFrames[trackId] = num(stat.framesDecoded);
      down.freezesS = Math.max(down.freezesS, num(stat.totalFreezesDuration));
    }
  }

  // The consent checks on the chosen ICE pair measure the path itself; RTCP round trips
  // (remote-inbound) stand in where the browser has none yet.
  const rtts = [sendStats, recvStats]
    .map((stats) => selectedPair(stats, (pair) => (isNum(pair.currentRoundTripTime) ? pair.currentRoundTripTime : null)))
    .filter((rtt): rtt is number => rtt !== null);
  if (rtts.length === 0) {
    for (const stat of sendStats) if (stat.type === 'remote-inbound-rtp' && isNum(stat.roundTripTime)) rtts.push(stat.roundTripTime);
  }
  sample.rttMs = rtts.length > 0 ? Math.round(Math.max(...rtts) * 1000) : null;
  return sample;
}

function mediaState(send: string | null, recv: string | null): QualitySample['media'] {
  const states = [send, recv];
  if (states.some((state) => state === null || state === 'disconnected' || state === 'failed' || state === 'closed')) return 'down';
  return states.every((state) => state === 'connected') ? 'connected' : 'connecting';
}

/** A figure of the ICE pair in use: the transport's selected pair, else a nominated succeeded one. */
function selectedPair<T>(stats: readonly Stat[], pick: (pair: Stat) => T | null): T | null {
  const selectedIds = new Set(stats.filter((s) => s.type === 'transport').map((s) => s.selectedCandidatePairId));
  const pairs = stats.filter((s) => s.type === 'candidate-pair');
  const pair = pairs.find((p) => selectedIds.has(p.id)) ?? pairs.find((p) => p.state === 'succeeded' && p.nominated === true);
  return pair ? pick(pair) : null;
}

function list(report: StatsReportLike | null): Stat[] {
  const stats: Stat[] = [];
  try {
    report?.forEach((stat) => {
      if (typeof stat === 'object' && stat !== null) stats.push(stat as Stat);
    });
  } catch {
    // A report from a closing peer connection: read what came, judge on that.
  }
  return stats;
}

const isNum = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const num = (value: unknown): number => (isNum(value) ? value : 0);

/** The parts of a mediasoup-client Transport a reading uses. */
export interface StatsTransport {
  readonly id: string;
  readonly connectionState: string;
  getStats(): Promise<StatsReportLike>;
}

/** What the Room hands over for one reading. */
export interface QualitySources {
  roomState: ConnectionState;
  link: { sendTransport: StatsTransport; recvTransport: StatsTransport } | null;
  sendingTrackIds: ReadonlySet<string>;
  receivingTrackIds: ReadonlySet<string>;
}

/**
 * A reader of the Room's transports that remembers when the current link's media
 * connected (the send estimate's warm-up starts there, again after a rejoin).
 */
export function transportReader(now: () => number = () => performance.now()): (sources: QualitySources) => Promise<QualitySample> {
  let since: { linkId: string; at: number } | null = null;
  return async ({ roomState, link, sendingTrackIds, receivingTrackIds }) => {
    const noReport = Promise.resolve(null);
    const [send, recv] = await Promise.all([
      link ? link.sendTransport.getStats().catch(() => null) : noReport,
      link ? link.recvTransport.getStats().catch(() => null) : noReport,
    ]);
    const at = now();
    const linkId = link?.sendTransport.id ?? null;
    const sendState = link?.sendTransport.connectionState ?? null;
    const recvState = link?.recvTransport.connectionState ?? null;
    if (linkId === null || sendState !== 'connected' || recvState !== 'connected') since = null;
    else if (since?.linkId !== linkId) since = { linkId, at };
    return readQualitySample(send, recv, {
      at, linkId, roomState, sendState, recvState, mediaSince: since?.at ?? null, sendingTrackIds, receivingTrackIds,
    });
  };
}
