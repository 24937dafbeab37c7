import type { RemoteTrack } from '@tandem/client';
import { i18n } from '../i18n/Localizer.js';
import type { CallView } from '../ui/CallView.js';
import { button, el } from '../ui/dom.js';

export type ScreenState = 'idle' | 'waiting' | 'declined' | 'sharing';

/** The agent's "Ask to see screen" and what became of it. */
export class ScreenRequest {
  readonly button: HTMLButtonElement;
  readonly status: HTMLElement;
  #state: ScreenState = 'idle';
  #requestId: string | null = null;
  readonly #unbind: (() => void)[] = [];

  constructor(private readonly view: CallView) {
    this.button = button({ className: 'btn btn-primary', testid: 'ask-screen', text: 'agent.askScreen' }, () => void this.ask());
    this.status = el('p', { className: 'screen-status', testid: 'screen-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    const room = view.room;
    const onAnswer = (answer: { requestId: string; accepted: boolean }): void => {
      if (this.#requestId !== null && answer.requestId !== this.#requestId) return;
      this.#requestId = null;
      // Accepted: stay "waiting" until the screen's video actually arrives.
      if (!answer.accepted) this.#set('declined');
      else if (view.stage.hasRemoteScreen) this.#set('sharing');
    };
    const onTrack = (track: RemoteTrack): void => {
      if (track.source === 'screen') this.#set(view.stage.hasRemoteScreen ? 'sharing' : 'idle');
    };
    room.on('screenRequestAnswered', onAnswer);
    room.on('trackSubscribed', onTrack);
    room.on('trackUnsubscribed', onTrack);
    this.#unbind.push(
      () => room.off('screenRequestAnswered', onAnswer),
      () => room.off('trackSubscribed', onTrack),
      () => room.off('trackUnsubscribed', onTrack),
    );
    this.#set(view.stage.hasRemoteScreen ? 'sharing' : 'idle');
  }

  get state(): ScreenState {
    return this.#state;
  }

  async ask(): Promise<void> {
    if (this.#state === 'waiting' || this.#state === 'sharing') return;
    this.#set('waiting');
    try {
      this.#requestId = await this.view.room.requestScreen();
    } catch (error) {
      this.#set('idle');
      this.view.errors.show(error);
    }
  }

  destroy(): void {
    for (const unbind of this.#unbind) unbind();
  }

  #set(state: ScreenState): void {
    this.#state = state;
    this.status.dataset.state = state;
    i18n.text(this.status, `screen.${state}`);
    this.button.disabled = state === 'waiting' || state === 'sharing';
  }
}
