import { connectRoom, prepareDevice, TandemApi, type Room } from '@tandem/client';
import type { LoginReply } from '@tandem/protocol';
import type { MessageKey } from '../i18n/catalogue.js';
import { CallView, type CallEnd } from '../ui/CallView.js';
import { button, el } from '../ui/dom.js';
import { endMessage, endScreen } from '../ui/EndScreen.js';
import { ErrorNotice, reasonOf } from '../ui/ErrorNotice.js';
import { captureLocal, stopMedia } from '../ui/LocalCapture.js';
import { messageScreen } from '../ui/messageScreen.js';
import { pageStorage } from '../ui/page.js';
import { mediaProfileFromUrl } from '../ui/mediaProfile.js';
import { ConsoleAuth } from './ConsoleAuth.js';
import { LoginForm } from './LoginForm.js';
import { ScreenRequest } from './ScreenRequest.js';
import { SessionCard } from './SessionCard.js';

/**
 * The agent console at /agent: sign in, start a session, send the link, take the call.
 * After a reload it signs in from the tab's stored token and rejoins the session in use.
 */
export class AgentPage {
  /** Loaded once and reused by every call this console joins. */
  #device: ReturnType<typeof prepareDevice> | undefined;
  readonly #api = new TandemApi(location.origin);
  readonly #auth = new ConsoleAuth(pageStorage);
  readonly #errors = new ErrorNotice();
  readonly #card = new SessionCard(this.#errors);
  readonly #main = el('div', { className: 'console-main' });
  readonly #newSession = button({ className: 'btn btn-primary btn-large', testid: 'new-session', text: 'agent.newSession' }, () => void this.newSession());
  #login: LoginReply | null = null;
  #view: CallView | null = null;

  constructor(private readonly app: HTMLElement) {}

  async start(): Promise<void> {
    const login = this.#auth.load();
    if (!login) return this.#showLogin();
    this.#showConsole(login);
    await this.#resume();
  }

  async newSession(): Promise<void> {
    const consoleToken = this.#login?.token;
    if (!consoleToken || this.#view) return;
    this.#newSession.disabled = true;
    this.#main.replaceChildren(messageScreen('agent.creating'));
    try {
      const session = await this.#api.createSession(consoleToken);
      this.#auth.lastSessionId = session.sessionId;
      this.#card.show(session);
      await this.#join(session.sessionId, session.callToken);
    } catch (error) {
      this.#handleFailure(error);
    }
  }

  #showLogin(error?: unknown): void {
    this.#login = null;
    const form = new LoginForm(this.#api);
    const notice = new ErrorNotice();
    if (error !== undefined) notice.show(error);
    form.on('signedIn', (reply) => {
      this.#auth.save(reply);
      this.#showConsole(reply);
      void this.#resume();
    });
    this.app.replaceChildren(el('div', { className: 'centered' }, [notice.element, form.element]));
    form.focus();
  }

  #showConsole(login: LoginReply): void {
    this.#login = login;
    const signOut = button({ className: 'btn btn-light', testid: 'sign-out', text: 'agent.signOut' }, () => {
      void this.#view?.leave();
      this.#auth.signOut();
      this.#showLogin();
    });
    const side = el('aside', { className: 'console-side' }, [this.#newSession, this.#card.element, this.#errors.element]);
    this.app.replaceChildren(el('div', { className: 'console' }, [
      el('div', { className: 'console-bar' }, [
        el('p', { className: 'console-agent', testid: 'signed-in-as', text: 'agent.signedInAs', vars: { name: login.agent.displayName } }),
        signOut,
      ]),
      el('div', { className: 'console-body' }, [side, this.#main]),
    ]));
    this.#idle('agent.idle');
  }

  /** After a reload: rejoin the session this tab was using, if it is still going. */
  async #resume(): Promise<void> {
    const consoleToken = this.#login?.token;
    const sessionId = this.#auth.lastSessionId;
    if (!consoleToken || !sessionId) return;
    this.#main.replaceChildren(messageScreen('agent.rejoining'));
    try {
      const session = (await this.#api.listSessions(consoleToken)).find((s) => s.sessionId === sessionId);
      if (!session || session.state === 'ended') {
        this.#auth.lastSessionId = null;
        return this.#idle('agent.idle');
      }
      this.#card.show(session);
      await this.#rejoin(sessionId);
    } catch (error) {
      this.#handleFailure(error);
    }
  }

  async #rejoin(sessionId: string): Promise<void> {
    const consoleToken = this.#login?.token;
    if (!consoleToken) return this.#showLogin();
    this.#newSession.disabled = true;
    this.#main.replaceChildren(messageScreen('agent.rejoining'));
    try {
      const { token } = await this.#api.sessionToken(consoleToken, sessionId);
      await this.#join(sessionId, token);
    } catch (error) {
      this.#handleFailure(error);
    }
  }

  /** Throws when connecting fails; media captured for the call is released then. */
  async #join(sessionId: string, callToken: string): Promise<void> {
    this.#newSession.disabled = true;
    const { media } = await captureLocal();
    let room: Room;
    try {
      this.#device ??= prepareDevice(location.origin);
      const device = await this.#device.catch(() => undefined);
      if (!device) this.#device = undefined; // try afresh next time
      room = await connectRoom({
        ...(device ? { device } : {}),
        serverUrl: location.origin,
        token: callToken,
        ...mediaProfileFromUrl(),
        // Without a name here the server uses the one in the call token.
        ...(this.#login?.agent.displayName ? { displayName: this.#login.agent.displayName } : {}),
      });
    } catch (error) {
      stopMedia(media);
      throw error;
    }
    window.tandemRoom = room;
    const view = new CallView(room, { waitingText: 'call.waitingForCustomer', selfView: 'strip' });
    const screen = new ScreenRequest(view);
    const end = button({ className: 'btn btn-danger', testid: 'end-session', text: 'agent.endSession' }, () => void this.#endSession(view));
    view.toolbar.prepend(screen.button);
    view.toolbar.append(end);
    view.banners.append(screen.status);
    this.#view = view;
    this.#main.replaceChildren(view.element);
    await view.publish(media);
    view.on('closed', (how) => {
      screen.destroy();
      view.destroy();
      stopMedia(media);
      this.#view = null;
      window.tandemRoom = undefined;
      this.#closed(sessionId, how);
    });
  }

  async #endSession(view: CallView): Promise<void> {
    try {
      await view.room.endSession();
    } catch (error) {
      return view.errors.show(error);
    }
    // The server also says sessionEnded; do not wait on it to show the outcome.
    view.finish({ kind: 'ended', reason: 'ended-by-agent' });
    void view.room.leave().catch(() => undefined);
  }

  #closed(sessionId: string, how: CallEnd): void {
    this.#newSession.disabled = false;
    const over = how.kind === 'ended' || (how.kind === 'failed' && how.reason === 'SESSION_ENDED');
    if (over) {
      this.#auth.lastSessionId = null;
      this.#card.show(null);
      const message: MessageKey | null = how.kind === 'ended' && how.reason === 'ended-by-agent' ? 'end.agentEnded' : endMessage(how);
      this.#main.replaceChildren(endScreen(how, message));
      return;
    }
    this.#main.replaceChildren(endScreen(how, endMessage(how), {
      text: 'end.rejoin',
      testid: 'rejoin',
      run: () => void this.#rejoin(sessionId),
    }));
  }

  #handleFailure(error: unknown): void {
    const reason = reasonOf(error);
    if (reason === 'UNAUTHORIZED') {
      this.#auth.signOut();
      return this.#showLogin(error);
    }
    this.#newSession.disabled = false;
    if (reason === 'SESSION_ENDED' || reason === 'NOT_FOUND') {
      this.#auth.lastSessionId = null;
      this.#card.show(null);
    }
    this.#idle('agent.idle');
    this.#errors.show(error);
  }

  #idle(text: MessageKey): void {
    this.#main.replaceChildren(el('section', { className: 'card message' }, [el('p', { className: 'lead', text })]));
  }
}
