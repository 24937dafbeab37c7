import type { MediaSource } from '@tandem/protocol';
import type { types } from 'mediasoup-client';

/**
 * How each source is encoded. Camera: three simulcast layers so the SFU can pick one per
 * viewer. Mic: in-band FEC (a lost packet rebuilt from the next), NACK (resent when the
 * receiver's buffer can still use it: see AudioPlayout), DTX so silence costs nothing. Screen: one sharp layer,
 * because text must stay legible: content hint 'detail', and (mediaProfile.tuneSender)
 * maintain-resolution, so a thin link lowers the frame rate, never the resolution.
 */
export function publishSettings(source: MediaSource, track: MediaStreamTrack): types.ProducerOptions {
  const common = { track, stopTracks: false, appData: { source } } as const;
  switch (source) {
    case 'camera':
      return {
        ...common,
        encodings: [
          { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
          { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
          { scaleResolutionDownBy: 1, maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
        ],
        codecOptions: { videoGoogleStartBitrate: 1000 },
      };
    case 'mic':
      return { ...common, codecOptions: { opusFec: true, opusDtx: true, opusStereo: false, opusNack: true } };
    case 'screen':
      track.contentHint = 'detail';
      // 'high': when camera and screen share a thin upload, the browser gives the screen
      // the larger part (its bitrate allocator weighs streams by this priority).
      return { ...common, encodings: [{ maxBitrate: 1_500_000, priority: 'high', networkPriority: 'high' }] };
  }
}

/** The track kind each source must carry. */
export function kindOf(source: MediaSource): 'audio' | 'video' {
  return source === 'mic' ? 'audio' : 'video';
}

export function isMediaSource(value: unknown): value is MediaSource {
  return value === 'mic' || value === 'camera' || value === 'screen';
}
