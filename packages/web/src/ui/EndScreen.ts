import type { MessageKey } from '../i18n/catalogue.js';
import type { CallEnd } from './CallView.js';
import { button, el } from './dom.js';
import { ErrorNotice } from './ErrorNotice.js';

export interface EndAction {
  text: MessageKey;
  testid: string;
  run: () => void;
}

/** What a closed call says, in words for each way it can close. */
export function endMessage(end: CallEnd): MessageKey | null {
  switch (end.kind) {
    case 'ended':
      return `end.${end.reason}`;
    case 'left':
      return 'end.left';
    case 'replaced':
      return 'end.replaced';
    case 'failed':
      return null;
  }
}

/** The calm screen after a call: why it ended, and what one can do next. */
export function endScreen(end: CallEnd, message: MessageKey | null, action?: EndAction): HTMLElement {
  const children: Node[] = [el('h1', { className: 'card-title', text: 'end.title' })];
  if (message) children.push(el('p', { className: 'lead', text: message }));
  if (end.kind === 'failed') {
    const notice = new ErrorNotice(false);
    notice.show(end.reason);
    children.push(notice.element);
  }
  if (action) children.push(button({ className: 'btn btn-primary', testid: action.testid, text: action.text }, action.run));
  return el('section', {
    className: 'card end',
    testid: 'end-screen',
    attrs: { 'data-end': end.kind === 'ended' ? end.reason : end.kind },
  }, children);
}
