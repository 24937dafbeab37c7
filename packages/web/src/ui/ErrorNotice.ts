import { reasonOf } from './errorReason.js';
import type { ShownError } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import { el, button } from './dom.js';

export { reasonOf };

/** The page's error line: one message at a time, in the user's language, with its code for tests. */
export class ErrorNotice {
  readonly element: HTMLElement;
  readonly #text: HTMLElement;

  constructor(dismissible = true) {
    this.#text = el('span', { className: 'notice-text' });
    const dismiss = button({ className: 'notice-dismiss', i18nAttrs: { 'aria-label': 'error.dismiss', title: 'error.dismiss' } }, () => this.clear());
    dismiss.hidden = !dismissible;
    this.element = el('div', { className: 'notice notice-error', attrs: { role: 'alert' } }, [this.#text, dismiss]);
    this.element.hidden = true;
  }

  get code(): ShownError | null {
    return this.element.hidden ? null : ((this.element.dataset.code as ShownError | undefined) ?? null);
  }

  /** Shows the message for an error code, or for whatever was thrown. */
  show(reason: unknown): void {
    const code = reasonOf(reason);
    this.element.dataset.code = code;
    // Only a shown notice carries the test hook, so tests never find a hidden one first.
    this.element.dataset.testid = 'error-message';
    i18n.text(this.#text, `error.${code}`);
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    delete this.element.dataset.code;
    delete this.element.dataset.testid;
  }
}
