import type { ConnectionQuality, QualityLevel } from '@tandem/client';
import { i18n } from '../i18n/Localizer.js';
import { el } from './dom.js';
import { LEVEL_TEXT, qualitySentence } from './qualityWords.js';

/** Bars lit per level, out of four, as on a phone's signal meter. */
const BARS: Record<QualityLevel, number> = { good: 4, fair: 3, poor: 2, lost: 0 };
/**
 * Colours carry the level for sighted users at a glance; the text says it for everyone.
 * Inline so the badge works wherever CallView is mounted, with no stylesheet of its own.
 */
const COLOUR: Record<QualityLevel, string> = { good: '#1a7f37', fair: '#9a6700', poor: '#cf222e', lost: '#6e7781' };
const UNLIT = '#d0d7de';

/**
 * The call's connection quality: signal bars, the level in words and, when it is not
 * good, why ("Your upload is weak — video paused, audio kept"). Hidden until the first
 * reading. Announced politely to screen readers when it changes.
 */
export class QualityBadge {
  readonly element: HTMLElement;
  readonly #bars: HTMLElement[];
  readonly #level: HTMLElement;
  readonly #reason: HTMLElement;

  constructor() {
    this.#bars = [4, 7, 10, 13].map((height) => {
      const bar = el('span', { className: 'quality-bar' });
      Object.assign(bar.style, { display: 'inline-block', width: '3px', height: `${height}px`, borderRadius: '1px', background: UNLIT });
      return bar;
    });
    const meter = el('span', { className: 'quality-bars', attrs: { 'aria-hidden': 'true' } }, this.#bars);
    Object.assign(meter.style, { display: 'inline-flex', alignItems: 'flex-end', gap: '2px', marginInlineEnd: '6px' });
    this.#level = el('span', { className: 'quality-level', testid: 'quality-level' });
    this.#reason = el('span', { className: 'quality-reason', testid: 'quality-reason' });
    this.#reason.style.marginInlineStart = '6px';
    this.element = el('p', {
      className: 'quality-badge',
      testid: 'quality-badge',
      attrs: { role: 'status', 'aria-live': 'polite' },
      i18nAttrs: { 'aria-label': 'quality.label' },
    }, [meter, this.#level, this.#reason]);
    Object.assign(this.element.style, { display: 'inline-flex', alignItems: 'center', margin: '0' });
    this.element.hidden = true;
  }

  show(quality: ConnectionQuality | null): void {
    if (!quality) return;
    const { level } = quality;
    this.element.hidden = false;
    this.element.dataset.level = level;
    this.element.dataset.reasons = quality.reasons.join(' ');
    this.#bars.forEach((bar, i) => (bar.style.background = i < BARS[level] ? COLOUR[level] : UNLIT));
    this.#level.style.color = COLOUR[level];
    i18n.text(this.#level, LEVEL_TEXT[level]);
    const sentence = qualitySentence(quality);
    this.#reason.hidden = sentence === null;
    if (sentence) i18n.text(this.#reason, sentence);
    else {
      this.#reason.textContent = '';
      delete this.#reason.dataset.i18n;
    }
  }
}
