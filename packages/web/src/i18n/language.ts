import { LANGUAGES, catalogues, type Language, type MessageKey } from './catalogue.js';

export type MessageVars = Readonly<Record<string, string | number>>;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language to show: a stored choice wins, then the browser's preferences in order
 * (any Chinese variant maps to zh-CN, the only Chinese catalogue we have), then English.
 */
export function pickLanguage(stored: string | null, preferred: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  }
  return 'en';
}

/**
 * Fills `{name}` placeholders. Numeric vars whose name ends in `At` are epoch
 * milliseconds and are shown as a local time in the given language.
 */
export function translate(lang: Language, key: MessageKey, vars?: MessageVars): string {
  const template = catalogues[lang][key] ?? catalogues.en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    if (typeof value === 'number' && name.endsWith('At')) {
      return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(value);
    }
    return String(value);
  });
}
