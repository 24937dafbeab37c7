import type { SessionSummary } from '@tandem/protocol';
import { i18n } from '../i18n/Localizer.js';
import { button, el } from '../ui/dom.js';
import type { ErrorNotice } from '../ui/ErrorNotice.js';

/** The customer link of the current session, ready to copy, with its expiry. */
export class SessionCard {
  readonly element: HTMLElement;
  readonly #link: HTMLInputElement;
  readonly #expiry: HTMLElement;
  readonly #copy: HTMLButtonElement;

  constructor(private readonly errors: ErrorNotice) {
    this.#link = el('input', {
      className: 'input link-input',
      testid: 'customer-link',
      attrs: { id: 'customer-link', type: 'text', readonly: '' },
    });
    this.#link.addEventListener('focus', () => this.#link.select());
    this.#copy = button({ className: 'btn btn-secondary', testid: 'copy-link', text: 'agent.copy' }, () => void this.#copyLink());
    this.#expiry = el('p', { className: 'hint', testid: 'link-expiry' });
    this.element = el('div', { className: 'session-card' }, [
      el('label', { className: 'label', text: 'agent.customerLink', attrs: { for: 'customer-link' } }),
      el('div', { className: 'link-row' }, [this.#link, this.#copy]),
      this.#expiry,
    ]);
    this.element.hidden = true;
  }

  show(session: SessionSummary | null): void {
    this.element.hidden = session === null;
    if (!session) return;
    this.element.dataset.sessionId = session.sessionId;
    this.#link.value = new URL(session.joinPath, location.origin).href;
    i18n.text(this.#expiry, 'agent.expires', { expiresAt: session.codeExpiresAt });
    i18n.text(this.#copy, 'agent.copy');
  }

  get link(): string {
    return this.#link.value;
  }

  async #copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.#link.value);
      i18n.text(this.#copy, 'agent.copied');
      setTimeout(() => i18n.text(this.#copy, 'agent.copy'), 2000);
    } catch {
      // Clipboard access needs a secure context and permission; fall back to a selected field.
      this.#link.focus();
      this.#link.select();
      this.errors.show('COPY_FAILED');
    }
  }
}
