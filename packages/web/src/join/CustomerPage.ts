import { connectRoom, prepareDevice, TandemApi, type Room } from '@tandem/client';
import { CallView, type CallEnd, type LocalMedia } from '../ui/CallView.js';
import { endMessage, endScreen } from '../ui/EndScreen.js';
import { reasonOf } from '../ui/ErrorNotice.js';
import { captureLocal, stopMedia } from '../ui/LocalCapture.js';
import { messageScreen } from '../ui/messageScreen.js';
import { pageStorage } from '../ui/page.js';
import { mediaProfileFromUrl } from '../ui/mediaProfile.js';
import { CallTicketStore, codeFromPath, type CallTicket } from './CallTicket.js';
import { JoinPreview } from './JoinPreview.js';
import { NetworkCheck } from './NetworkCheck.js';
import { ScreenShareConsent } from './ScreenShareConsent.js';

/** Tokens that can no longer join: redeem the code again instead. */
const STALE_TOKEN = new Set(['UNAUTHORIZED', 'FORBIDDEN']);

/**
 * The customer's whole journey from /j/CODE: redeem the code once, preview, join,
 * the call, the end. A reload during the call rejoins straight away with the stored token.
 */
export class CustomerPage {
  readonly #api = new TandemApi(location.origin);
  readonly #tickets = new CallTicketStore(pageStorage);
  #code: string | null = null;
  /** Loaded while the customer looks at the preview, so Join does not wait for it. */
  #device: ReturnType<typeof prepareDevice> | undefined;

  constructor(private readonly app: HTMLElement) {}

  async start(): Promise<void> {
    this.#code = codeFromPath(location.pathname);
    if (!this.#code) return this.#fail('CODE_UNKNOWN');
    this.#device = prepareDevice(location.origin);
    this.#device.catch(() => undefined); // connectRoom reports the problem if it persists
    const ticket = this.#tickets.load(this.#code);
    if (ticket?.joined) return this.#rejoin(ticket);
    if (ticket) return this.#preview(ticket);
    await this.#redeem();
  }

  async #redeem(): Promise<void> {
    const code = this.#code!;
    this.app.replaceChildren(messageScreen('join.checking'));
    try {
      const reply = await this.#api.redeemJoinCode(code);
      await this.#preview(this.#tickets.fromReply(code, reply));
    } catch (error) {
      this.#fail(error);
    }
  }

  async #preview(ticket: CallTicket): Promise<void> {
    const preview = new JoinPreview(new NetworkCheck({ serverUrl: location.origin, token: ticket.token, device: this.#device }));
    this.app.replaceChildren(preview.element);
    preview.on('join', ({ displayName, media }) => {
      void this.#join({ ...ticket, ...(displayName ? { displayName } : {}) }, media).then((error) => {
        if (error === null) return preview.destroy();
        if (STALE_TOKEN.has(reasonOf(error))) {
          stopMedia(media);
          preview.destroy();
          this.#tickets.forget(this.#code!);
          return this.#redeem();
        }
        preview.joinFailed(error);
      });
    });
    await preview.start();
  }

  async #rejoin(ticket: CallTicket): Promise<void> {
    this.app.replaceChildren(messageScreen('join.rejoining'));
    const { media } = await captureLocal();
    const error = await this.#join(ticket, media);
    if (error === null) return;
    stopMedia(media);
    if (STALE_TOKEN.has(reasonOf(error))) {
      this.#tickets.forget(this.#code!);
      return this.#redeem();
    }
    this.#fail(error);
  }

  /** Connects and shows the call; returns the error instead of throwing so callers choose what to show. */
  async #join(ticket: CallTicket, media: LocalMedia): Promise<unknown> {
    const code = this.#code!;
    let room: Room;
    try {
      const device = await this.#device?.catch(() => undefined);
      room = await connectRoom({
        ...(device ? { device } : {}),
        serverUrl: location.origin,
        token: ticket.token,
        ...mediaProfileFromUrl(),
        ...(ticket.displayName ? { displayName: ticket.displayName } : {}),
      });
    } catch (error) {
      if (reasonOf(error) === 'SESSION_ENDED') this.#tickets.forget(code);
      return error;
    }
    window.tandemRoom = room;
    this.#tickets.save(code, { ...ticket, joined: true });
    const view = new CallView(room, { waitingText: 'call.waitingForAgent', selfView: 'overlay', muted: ticket.muted });
    const consent = new ScreenShareConsent(view);
    this.app.replaceChildren(view.element);
    await view.publish(media);
    // Remember mute choices so a reload keeps them.
    view.on('localChanged', (muted) => this.#tickets.update(code, { muted }));
    view.on('closed', (end) => {
      consent.destroy();
      view.destroy();
      stopMedia(media);
      window.tandemRoom = undefined;
      this.#ended(end, ticket);
    });
    return null;
  }

  #ended(end: CallEnd, ticket: CallTicket): void {
    const code = this.#code!;
    const over = end.kind === 'ended' || (end.kind === 'failed' && end.reason === 'SESSION_ENDED');
    if (over) {
      this.#tickets.forget(code);
      this.app.replaceChildren(endScreen(end, endMessage(end)));
      return;
    }
    // Left, replaced or lost: the session goes on, so offer to come back.
    this.#tickets.update(code, { joined: false });
    this.app.replaceChildren(endScreen(end, endMessage(end), {
      text: 'end.rejoin',
      testid: 'rejoin',
      run: () => void this.#rejoin({ ...ticket, joined: true }),
    }));
  }

  #fail(error: unknown): void {
    this.app.replaceChildren(messageScreen('error.title', error));
  }
}
