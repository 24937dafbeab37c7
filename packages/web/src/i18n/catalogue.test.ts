import { ErrorCodes } from '@tandem/protocol';
import { describe, expect, it } from 'vitest';
import { catalogues, LANGUAGES, type MessageKey } from './catalogue.js';
import { pickLanguage, translate } from './language.js';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('catalogues', () => {
  const en = catalogues.en;
  const zh = catalogues['zh-CN'];

  it('has the same keys in English and Simplified Chinese', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('has no empty or blank message in any language', () => {
    for (const lang of LANGUAGES) {
      const blank = Object.entries(catalogues[lang]).filter(([, text]) => text.trim() === '');
      expect(blank, lang).toEqual([]);
    }
  });

  it('uses the same {placeholders} in both languages', () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('says something for every error code that can come over the wire', () => {
    for (const code of [...Object.keys(ErrorCodes), 'CONNECTION_LOST', 'MEDIA_UNSUPPORTED']) {
      for (const lang of LANGUAGES) expect(catalogues[lang][`error.${code}` as MessageKey], `${lang} ${code}`).toBeTruthy();
    }
  });

  it('really translates the user-visible text (Chinese differs from English)', () => {
    const keys = ['join.button', 'consent.title', 'error.CODE_EXPIRED', 'sharing.banner'] as const;
    for (const key of keys) expect(zh[key]).not.toBe(en[key]);
    expect(zh['consent.title']).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('language choice', () => {
  it('keeps a stored choice over the browser preference', () => {
    expect(pickLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
  });

  it('follows the first supported browser language, any Chinese variant meaning zh-CN', () => {
    expect(pickLanguage(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(pickLanguage(null, ['fr-FR', 'zh', 'en'])).toBe('zh-CN');
    expect(pickLanguage(null, ['de', 'en-GB', 'zh-CN'])).toBe('en');
  });

  it('falls back to English for garbage stored values and unknown languages', () => {
    expect(pickLanguage('klingon', ['fr'])).toBe('en');
    expect(pickLanguage(null, [])).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'call.peerJoined', { name: 'Ana' })).toBe('Ana joined the call');
    expect(translate('zh-CN', 'call.peerJoined', { name: 'Ana' })).toBe('Ana 加入了通话');
    expect(translate('en', 'call.peerJoined')).toBe('{name} joined the call');
  });

  it('shows *At placeholders as a local time in the chosen language', () => {
    const at = Date.UTC(2030, 0, 2, 15, 4);
    const en = translate('en', 'agent.expires', { expiresAt: at });
    const zh = translate('zh-CN', 'agent.expires', { expiresAt: at });
    expect(en).toContain('2030');
    expect(zh).toContain('2030');
    expect(en).not.toContain(String(at));
    expect(zh).toMatch(/^链接有效期至 /);
  });
});
