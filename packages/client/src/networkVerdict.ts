import type { NetworkLeg } from '@tandem/protocol';

/**
 * What the pre-call test tells the customer:
 * - good: video will work;
 * - weak: the call will work, audio first (loss, delay, little upload, or UDP blocked);
 * - blocked: no way through to the media server from this network;
 * - unknown: the test itself could not run (server busy, browser without WebRTC).
 */
export type NetworkVerdict = 'good' | 'weak' | 'blocked' | 'unknown';

/** Why a network is weak, worst first; shown to the customer in plain words. */
export type NetworkWeakness = 'loss' | 'delay' | 'upload' | 'no-udp';

export interface NetworkFigures {
  /** Per way through: true reached, false tried and failed, null not tried (no TURN configured). */
  reachable: Record<NetworkLeg, boolean | null>;
  /** The way the figures were measured: the one a call would use (UDP first). */
  via: NetworkLeg | null;
  /** Median round trip of the echoed messages, ms. */
  rttMs: number | null;
  /** Round-trip message loss (there and back), percent. */
  lossPercent: number | null;
  /** Echoed throughput during a short paced burst, kbit/s (a floor when it reached the burst's pace). */
  uploadKbps: number | null;
}

/** Beyond these a call still works but video will suffer; tuned to the media policy (audio first). */
export const WEAK_NETWORK = Object.freeze({
  /** Round-trip loss: 10 % there-and-back is about 5 % each way, where video starts to freeze. */
  lossPercent: 10,
  rttMs: 400,
  /** Below this, a camera's lowest simulcast layer plus audio barely fit. */
  uploadKbps: 400,
});

export interface Judgement {
  verdict: NetworkVerdict;
  weaknesses: NetworkWeakness[];
}

/** The verdict from the figures alone, so it can be tested without a network. */
export function judgeNetwork(figures: NetworkFigures): Judgement {
  const tried = Object.values(figures.reachable).some((r) => r !== null);
  if (!tried) return { verdict: 'unknown', weaknesses: [] };
  if (figures.via === null || !Object.values(figures.reachable).some((r) => r === true)) {
    return { verdict: 'blocked', weaknesses: [] };
  }
  const weaknesses: NetworkWeakness[] = [];
  // Nothing echoed at all on a connected path is total loss, not a good network.
  if (figures.lossPercent === null || figures.lossPercent >= WEAK_NETWORK.lossPercent) weaknesses.push('loss');
  if (figures.rttMs !== null && figures.rttMs >= WEAK_NETWORK.rttMs) weaknesses.push('delay');
  if (figures.uploadKbps !== null && figures.uploadKbps < WEAK_NETWORK.uploadKbps) weaknesses.push('upload');
  // Media over TCP stalls on every lost packet: workable, but not "good for video".
  if (figures.reachable.udp === false) weaknesses.push('no-udp');
  return { verdict: weaknesses.length > 0 ? 'weak' : 'good', weaknesses };
}

/** Round-trip figures from the pings: median RTT and loss, or nulls when nothing was sent. */
export function pingFigures(sent: number, rttsMs: readonly number[]): { rttMs: number | null; lossPercent: number | null } {
  if (sent <= 0) return { rttMs: null, lossPercent: null };
  const received = Math.min(rttsMs.length, sent);
  const lossPercent = Math.round(((sent - received) / sent) * 1000) / 10;
  return { rttMs: received > 0 ? Math.round(median(rttsMs)) : null, lossPercent };
}

/** Echoed kbit/s over the time from the burst's start to its last echo. */
export function uploadFigure(echoedBytes: number, elapsedMs: number): number | null {
  if (!(elapsedMs > 0) || echoedBytes <= 0) return null;
  return Math.round((echoedBytes * 8) / elapsedMs);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
