import { MAX_CHAT_CHARS, type ChatMessage } from '@tandem/protocol';
import type { Room } from '@tandem/client';
import { i18n } from '../i18n/Localizer.js';
import { button, el } from './dom.js';
import type { ErrorNotice } from './ErrorNotice.js';

/** The call's chat: the whole transcript (including lines from before a reload) and a composer. */
export class ChatPanel {
  readonly element: HTMLElement;
  readonly #log: HTMLOListElement;
  readonly #input: HTMLInputElement;
  readonly #empty: HTMLElement;
  readonly #shown = new Set<string>();
  readonly #onMessage = (message: ChatMessage): void => this.#append(message);

  constructor(
    private readonly room: Room,
    private readonly errors: ErrorNotice,
  ) {
    this.#log = el('ol', {
      className: 'chat-log',
      testid: 'chat-log',
      attrs: { role: 'log', 'aria-live': 'polite' },
      i18nAttrs: { 'aria-label': 'chat.log' },
    });
    this.#empty = el('p', { className: 'chat-empty', text: 'chat.empty' });
    this.#input = el('input', {
      className: 'chat-input',
      testid: 'chat-input',
      attrs: { type: 'text', maxlength: String(MAX_CHAT_CHARS), autocomplete: 'off', enterkeyhint: 'send' },
      i18nAttrs: { placeholder: 'chat.placeholder', 'aria-label': 'chat.input' },
    });
    const send = button({ className: 'btn btn-primary', testid: 'chat-send', text: 'chat.send' }, () => void this.send());
    const form = el('form', { className: 'chat-composer' }, [this.#input, send]);
    // A form submit is what Enter does in a text input: one path for keyboard and button.
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.element = el('section', { className: 'chat', i18nAttrs: { 'aria-label': 'chat.title' } }, [
      el('h2', { className: 'panel-title', text: 'chat.title' }),
      this.#empty,
      this.#log,
      form,
    ]);
    for (const message of room.chat) this.#append(message);
    room.on('chatMessage', this.#onMessage);
  }

  async send(): Promise<void> {
    const text = this.#input.value.trim();
    if (!text) return;
    this.#input.value = '';
    try {
      this.#append(await this.room.sendChat(text));
    } catch (error) {
      // Give the words back so nothing typed is lost.
      if (!this.#input.value) this.#input.value = text;
      this.errors.show(error);
    }
  }

  destroy(): void {
    this.room.off('chatMessage', this.#onMessage);
  }

  #append(message: ChatMessage): void {
    if (this.#shown.has(message.messageId)) return;
    this.#shown.add(message.messageId);
    const mine = message.from === this.room.peerId;
    const who = el('span', { className: 'chat-who' });
    if (mine) i18n.text(who, 'call.you');
    else if (message.role === 'system') i18n.text(who, 'chat.system');
    else who.textContent = message.displayName;
    const time = el('time', { className: 'chat-time', attrs: { datetime: new Date(message.at).toISOString() } });
    time.textContent = new Intl.DateTimeFormat(i18n.lang, { timeStyle: 'short' }).format(message.at);
    const body = el('span', { className: 'chat-text' });
    body.textContent = message.text;
    const line = el('li', {
      className: `chat-line chat-${mine ? 'mine' : message.role}`,
      testid: 'chat-line',
      attrs: { 'data-message-id': message.messageId, 'data-role': message.role },
    }, [el('span', { className: 'chat-meta' }, [who, time]), body]);
    // Keep the transcript in server time order even if a late line arrives after a resend.
    const after = [...this.#log.children].find((child) => Number((child as HTMLElement).dataset.at) > message.at);
    line.dataset.at = String(message.at);
    this.#log.insertBefore(line, after ?? null);
    this.#empty.hidden = true;
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}
