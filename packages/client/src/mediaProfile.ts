import type { MediaSource } from '@tandem/protocol';
import type { types } from 'mediasoup-client';
import { publishSettings } from './publishSettings.js';

/**
 * How the customer's and agent's media is encoded.
 * - 'tandem' (default): Tandem's tuning for weak networks (see publishSettings).
 * - 'plain': what a bare mediasoup-client app does, `produce({ track })` with no
 *   encodings, codec options or content hint. A diagnostics switch: `npm run bench:weak`
 *   compares the two in the same run, so every tuning choice is backed by a figure.
 */
export type MediaProfile = 'tandem' | 'plain';

export function isMediaProfile(value: unknown): value is MediaProfile {
  return value === 'tandem' || value === 'plain';
}

/** The producer options for `source` under `profile`. */
export function producerOptions(profile: MediaProfile, source: MediaSource, track: MediaStreamTrack): types.ProducerOptions {
  if (profile !== 'plain') return publishSettings(source, track);
  // captureScreen hints 'detail' for Tandem; a bare app would not, so neither does 'plain'.
  if (source === 'screen') track.contentHint = '';
  return { track, stopTracks: false, appData: { source } };
}

/**
 * Sender settings produce() cannot carry. A screen share keeps its resolution and gives
 * up frame rate when bandwidth is short: text stays legible, it just updates less often.
 * Best effort: a browser without degradationPreference keeps the content hint's default.
 */
export async function tuneSender(profile: MediaProfile, source: MediaSource, producer: types.Producer): Promise<void> {
  const sender = producer.rtpSender;
  if (profile === 'plain' || source !== 'screen' || !sender) return;
  try {
    const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
    parameters.degradationPreference = 'maintain-resolution';
    await sender.setParameters(parameters);
  } catch {
    // Not supported here: contentHint 'detail' already asks the encoder for the same.
  }
}
