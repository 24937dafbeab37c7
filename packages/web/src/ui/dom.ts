import type { MessageKey } from '../i18n/catalogue.js';
import type { MessageVars } from '../i18n/language.js';
import { i18n, type TranslatedAttribute } from '../i18n/Localizer.js';

export interface ElementSpec {
  className?: string;
  testid?: string;
  /** Translated text content. */
  text?: MessageKey;
  vars?: MessageVars;
  /** Translated attributes, e.g. { 'aria-label': 'call.leave' }. */
  i18nAttrs?: Partial<Record<TranslatedAttribute, MessageKey>>;
  /** Plain attributes (never user-facing text). */
  attrs?: Readonly<Record<string, string>>;
}

/** Creates an element whose user-facing strings are bound to the catalogue. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: readonly Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.testid) node.dataset.testid = spec.testid;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) node.setAttribute(name, value);
  if (spec.text) i18n.text(node, spec.text, spec.vars);
  for (const [attribute, key] of Object.entries(spec.i18nAttrs ?? {}) as [TranslatedAttribute, MessageKey][]) {
    i18n.attr(node, attribute, key);
  }
  node.append(...children);
  return node;
}

export function button(spec: ElementSpec, onClick: (event: MouseEvent) => void): HTMLButtonElement {
  const node = el('button', spec);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/** Looks up an element the HTML file must contain; a missing one is a build bug, not user input. */
export function required<T extends HTMLElement = HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (!node) throw new Error(`page is missing ${selector}`);
  return node;
}

/** A labelled form control. */
export function field(id: string, label: MessageKey, control: HTMLElement): HTMLElement {
  return el('div', { className: 'field' }, [el('label', { className: 'label', text: label, attrs: { for: id } }), control]);
}

/** The user's own camera picture: muted (no echo of their own mic), inline on phones. */
export function selfVideo(testid: string): HTMLVideoElement {
  const video = el('video', {
    className: 'video video-self',
    testid,
    attrs: { autoplay: '', playsinline: '', muted: '' },
    i18nAttrs: { 'aria-label': 'call.you' },
  });
  video.muted = true;
  return video;
}
