import type { ConnectionQuality, QualityLevel, QualityReason } from '@tandem/client';
import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/language.js';
import { LEVEL_TEXT, qualitySentence } from './qualityWords.js';

function quality(level: QualityLevel, reasons: QualityReason[], paused: { up?: boolean; down?: boolean } = {}): ConnectionQuality {
  return {
    level, reasons, rttMs: 40,
    upload: { bitrateKbps: 100, availableKbps: 90, lossPercent: 0, videoPaused: paused.up ?? false },
    download: { bitrateKbps: 900, lossPercent: 0, jitterMs: 5, frozenPercent: 0, videoPaused: paused.down ?? false },
  };
}

describe('qualitySentence', () => {
  it('says the issue\'s own sentence for a weak upload that cost our video, in both languages', () => {
    const key = qualitySentence(quality('poor', ['upload-weak', 'video-paused'], { up: true }));
    expect(key).toBe('quality.uploadWeakPaused');
    expect(translate('en', key!)).toBe('Your upload is weak — video paused, audio kept');
    expect(translate('zh-CN', key!)).toBe('您的上行网络较弱——已暂停视频，保留语音');
  });

  it('picks the reason that matters most', () => {
    expect(qualitySentence(quality('good', []))).toBeNull();
    expect(qualitySentence(quality('lost', ['reconnecting', 'download-weak']))).toBe('quality.reconnecting');
    expect(qualitySentence(quality('lost', ['download-weak']))).toBe('quality.noMedia');
    expect(qualitySentence(quality('poor', ['upload-weak', 'download-weak']))).toBe('quality.bothWeak');
    expect(qualitySentence(quality('fair', ['upload-weak']))).toBe('quality.uploadWeak');
    expect(qualitySentence(quality('poor', ['download-weak', 'video-paused'], { down: true }))).toBe('quality.downloadWeakPaused');
    expect(qualitySentence(quality('fair', ['download-weak']))).toBe('quality.downloadWeak');
    // The picture we watch stopped but our network is fine: no blame on the user's network.
    expect(qualitySentence(quality('poor', ['video-paused'], { down: true }))).toBe('quality.videoPaused');
    expect(qualitySentence(quality('fair', ['high-latency']))).toBe('quality.highLatency');
  });

  it('has a level text for every level, different in Chinese', () => {
    for (const key of Object.values(LEVEL_TEXT)) expect(translate('zh-CN', key)).not.toBe(translate('en', key));
  });
});
