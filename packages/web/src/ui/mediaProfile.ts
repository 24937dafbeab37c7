import type { RoomOptions } from '@tandem/client';

/**
 * Diagnostics: `?media=plain` on a page publishes as a bare mediasoup-client app would,
 * so a support engineer (or `npm run bench:weak`) can compare it with Tandem's tuning.
 * Anything else keeps the default. Spread the result into connectRoom's options.
 */
export function mediaProfileFromUrl(search: string = location.search): Pick<RoomOptions, 'mediaProfile'> {
  try {
    return new URLSearchParams(search).get('media') === 'plain' ? { mediaProfile: 'plain' } : {};
  } catch {
    return {};
  }
}
