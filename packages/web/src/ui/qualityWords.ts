import type { ConnectionQuality, QualityLevel } from '@tandem/client';
import type { MessageKey } from '../i18n/catalogue.js';

export const LEVEL_TEXT: Record<QualityLevel, MessageKey> = {
  good: 'quality.good',
  fair: 'quality.fair',
  poor: 'quality.poor',
  lost: 'quality.lost',
};

/**
 * The sentence that says why, for the reason that matters most to what the user can do:
 * a reconnect first, then which way the network is weak (and whether that cost the
 * picture), then a paused video on its own, then delay. Null when all is well.
 */
export function qualitySentence(quality: Pick<ConnectionQuality, 'level' | 'reasons' | 'upload' | 'download'>): MessageKey | null {
  const has = (reason: ConnectionQuality['reasons'][number]): boolean => quality.reasons.includes(reason);
  const up = has('upload-weak');
  const down = has('download-weak');
  if (has('reconnecting')) return 'quality.reconnecting';
  if (quality.level === 'lost' && down) return 'quality.noMedia';
  if (up && down) return 'quality.bothWeak';
  if (up) return quality.upload.videoPaused ? 'quality.uploadWeakPaused' : 'quality.uploadWeak';
  if (down) return quality.download.videoPaused ? 'quality.downloadWeakPaused' : 'quality.downloadWeak';
  if (has('video-paused')) return 'quality.videoPaused';
  if (has('high-latency')) return 'quality.highLatency';
  return null;
}
