import { TypedEmitter } from '@tandem/protocol';
import { LANGUAGES, type Language, type MessageKey } from './catalogue.js';
import { isLanguage, pickLanguage, translate, type MessageVars } from './language.js';

const STORAGE_KEY = 'tandem.lang';

/** Attributes that carry translated text, besides the element's own text (data-i18n). */
const TRANSLATED_ATTRIBUTES = ['aria-label', 'placeholder', 'title'] as const;
export type TranslatedAttribute = (typeof TRANSLATED_ATTRIBUTES)[number];

type LocalizerEvents = { changed: [lang: Language] };

/**
 * The page's current language. Text is bound to elements through data-i18n attributes,
 * so switching language re-renders every bound string in place, including ones created
 * after start.
 */
export class Localizer extends TypedEmitter<LocalizerEvents> {
  #lang: Language;

  constructor() {
    super();
    this.#lang = pickLanguage(readStored(), navigator.languages ?? [navigator.language]);
  }

  get lang(): Language {
    return this.#lang;
  }

  t(key: MessageKey, vars?: MessageVars): string {
    return translate(this.#lang, key, vars);
  }

  setLang(lang: Language): void {
    if (!isLanguage(lang)) return;
    this.#lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Storage may be disabled (private mode); the choice then lasts for this page only.
    }
    this.apply(document);
    this.emit('changed', lang);
  }

  /** Binds an element's text to a key, so it follows language switches. */
  text(el: HTMLElement, key: MessageKey, vars?: MessageVars): void {
    el.dataset.i18n = key;
    if (vars) el.dataset.i18nVars = JSON.stringify(vars);
    else delete el.dataset.i18nVars;
    el.textContent = this.t(key, vars);
  }

  /** Binds an attribute (aria-label, placeholder, title) to a key. */
  attr(el: HTMLElement, attribute: TranslatedAttribute, key: MessageKey, vars?: MessageVars): void {
    el.setAttribute(`data-i18n-${attribute}`, key);
    if (vars) el.setAttribute(`data-i18n-${attribute}-vars`, JSON.stringify(vars));
    else el.removeAttribute(`data-i18n-${attribute}-vars`);
    el.setAttribute(attribute, this.t(key, vars));
  }

  /** Renders every bound string under `root` in the current language. */
  apply(root: ParentNode): void {
    if (root === document) document.documentElement.lang = this.#lang;
    for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
      el.textContent = this.t(el.dataset.i18n as MessageKey, parseVars(el.dataset.i18nVars));
    }
    for (const attribute of TRANSLATED_ATTRIBUTES) {
      for (const el of root.querySelectorAll<HTMLElement>(`[data-i18n-${attribute}]`)) {
        const key = el.getAttribute(`data-i18n-${attribute}`) as MessageKey;
        el.setAttribute(attribute, this.t(key, parseVars(el.getAttribute(`data-i18n-${attribute}-vars`))));
      }
    }
  }

  /** The visible language control (a select, so tests and keyboards can drive it directly). */
  createSwitch(): HTMLSelectElement {
    const select = document.createElement('select');
    select.className = 'lang-switch';
    select.dataset.testid = 'lang-switch';
    this.attr(select, 'aria-label', 'lang.label');
    for (const lang of LANGUAGES) {
      const option = document.createElement('option');
      option.value = lang;
      this.text(option, `lang.${lang}`);
      select.append(option);
    }
    select.value = this.#lang;
    select.addEventListener('change', () => {
      if (isLanguage(select.value)) this.setLang(select.value);
    });
    this.on('changed', (lang) => (select.value = lang));
    return select;
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function parseVars(json: string | null | undefined): MessageVars | undefined {
  if (!json) return undefined;
  try {
    return JSON.parse(json) as MessageVars;
  } catch {
    return undefined;
  }
}

/** The one Localizer of the page. */
export const i18n = new Localizer();
export const t = (key: MessageKey, vars?: MessageVars): string => i18n.t(key, vars);
