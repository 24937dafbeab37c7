import type { MessageKey } from '../i18n/catalogue.js';
import { el } from './dom.js';
import { ErrorNotice } from './ErrorNotice.js';

/** A simple card with one message: "checking your link…", or an error that ends the page. */
export function messageScreen(message: MessageKey, error?: unknown): HTMLElement {
  const children: Node[] = [];
  if (error === undefined) {
    children.push(el('div', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }));
    children.push(el('p', { className: 'lead', text: message, attrs: { role: 'status' } }));
  } else {
    children.push(el('h1', { className: 'card-title', text: message }));
    const notice = new ErrorNotice(false);
    notice.show(error);
    children.push(notice.element);
  }
  return el('section', { className: 'card message' }, children);
}
