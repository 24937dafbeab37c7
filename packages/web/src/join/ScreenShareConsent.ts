import { captureScreen, type LocalPublication } from '@tandem/client';
import type { PeerInfo } from '@tandem/protocol';
import { i18n } from '../i18n/Localizer.js';
import type { CallView } from '../ui/CallView.js';
import { button, el } from '../ui/dom.js';

/**
 * The customer's side of "may I see your screen?": nothing is captured without an
 * explicit Accept, and while sharing a banner says so and offers Stop.
 */
export class ScreenShareConsent {
  readonly #banner: HTMLElement;
  #dialog: HTMLDialogElement | null = null;
  #requestId: string | null = null;
  #busy = false;
  readonly #unbind: (() => void)[] = [];

  constructor(private readonly view: CallView) {
    const stop = button({ className: 'btn btn-light', testid: 'stop-share', text: 'sharing.stop' }, () => void this.stop());
    this.#banner = el('div', { className: 'notice notice-sharing', testid: 'sharing-banner', attrs: { role: 'status' } }, [
      el('span', { className: 'notice-dot', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'notice-text', text: 'sharing.banner' }),
      stop,
    ]);
    this.#banner.hidden = true;
    view.banners.prepend(this.#banner);

    const room = view.room;
    const onRequest = (request: { requestId: string; from: PeerInfo }): void => void this.#onRequest(request.requestId, request.from);
    const onEnded = (publication: LocalPublication): void => {
      if (publication.source === 'screen') this.#showBanner(false);
    };
    room.on('screenRequested', onRequest);
    room.on('localTrackEnded', onEnded);
    this.#unbind.push(() => room.off('screenRequested', onRequest), () => room.off('localTrackEnded', onEnded));
  }

  get sharing(): boolean {
    return this.view.room.localPublications.has('screen');
  }

  async stop(): Promise<void> {
    const publication = this.view.room.localPublications.get('screen');
    this.#showBanner(false);
    try {
      await this.view.room.unpublish('screen');
    } catch (error) {
      this.view.errors.show(error);
    }
    publication?.track.stop();
  }

  destroy(): void {
    for (const unbind of this.#unbind) unbind();
    this.#closeDialog();
    this.view.room.localPublications.get('screen')?.track.stop();
  }

  async #onRequest(requestId: string, from: PeerInfo): Promise<void> {
    // Already sharing: the agent sees it; say yes without asking again.
    if (this.sharing) {
      await this.#answer(requestId, true);
      return;
    }
    // A newer request replaces one still on screen (the agent asked twice).
    if (this.#requestId && this.#requestId !== requestId && !this.#busy) void this.#answer(this.#requestId, false);
    this.#requestId = requestId;
    this.#openDialog(from.displayName);
  }

  #openDialog(agentName: string): void {
    this.#closeDialog();
    const accept = button({ className: 'btn btn-primary', testid: 'consent-accept', text: 'consent.accept' }, () => void this.#accept());
    const decline = button({ className: 'btn btn-secondary', testid: 'consent-decline', text: 'consent.decline' }, () => void this.#decline());
    const dialog = el('dialog', {
      className: 'dialog',
      testid: 'screen-consent',
      attrs: { 'aria-labelledby': 'consent-title', 'aria-describedby': 'consent-body' },
    }, [
      el('h2', { className: 'dialog-title', text: 'consent.title', attrs: { id: 'consent-title' } }),
      el('p', { className: 'dialog-body', text: 'consent.body', vars: { name: agentName }, attrs: { id: 'consent-body' } }),
      el('div', { className: 'dialog-actions' }, [decline, accept]),
    ]);
    // Escape means "no".
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      void this.#decline();
    });
    document.body.append(dialog);
    this.#dialog = dialog;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    accept.focus();
  }

  #closeDialog(): void {
    this.#dialog?.close?.();
    this.#dialog?.remove();
    this.#dialog = null;
  }

  async #decline(): Promise<void> {
    const requestId = this.#requestId;
    this.#requestId = null;
    this.#closeDialog();
    if (requestId) await this.#answer(requestId, false);
  }

  async #accept(): Promise<void> {
    const requestId = this.#requestId;
    if (!requestId || this.#busy) return;
    this.#busy = true;
    this.#requestId = null;
    this.#closeDialog();
    let track: MediaStreamTrack | null = null;
    try {
      track = await captureScreen();
      await this.view.room.publish(track, 'screen');
      this.#showBanner(true);
      await this.#answer(requestId, true);
    } catch (error) {
      track?.stop();
      if (this.view.room.localPublications.has('screen')) await this.stop();
      // Cancelling the browser's picker is a choice, not an error.
      if ((error as { name?: string }).name !== 'NotAllowedError') this.view.errors.show('SCREEN_FAILED');
      await this.#answer(requestId, false);
    } finally {
      this.#busy = false;
    }
  }

  async #answer(requestId: string, accepted: boolean): Promise<void> {
    try {
      await this.view.room.answerScreenRequest(requestId, accepted);
    } catch (error) {
      this.view.errors.show(error);
    }
  }

  #showBanner(visible: boolean): void {
    this.#banner.hidden = !visible;
    i18n.apply(this.#banner);
  }
}
