import type { types } from 'mediasoup';
import type { MediaSource } from '@tandem/protocol';

/**
 * What every room's router offers. VP8 first (widest support, simulcast), VP9 for
 * screen SVC, H264 baseline and main for Safari and hardware encoders.
 */
export const ROUTER_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d001f', 'level-asymmetry-allowed': 1 },
  },
];

/**
 * Consumer priority (mediasoup gives bandwidth to higher values first). In a
 * diagnostics call the customer's screen must stay legible, so it outranks cameras;
 * audio is never the thing we give up.
 */
export function consumerPriority(source: MediaSource): number {
  switch (source) {
    case 'screen':
      return 255;
    case 'mic':
      return 255;
    case 'camera':
      return 100;
  }
}
