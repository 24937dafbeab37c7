import { TypedEmitter, type MediaSource, type PeerInfo, type SessionEndReason } from '@tandem/protocol';
import type { ConnectionQuality, ConnectionState, LocalPublication, RemoteTrack, Room, RoomError } from '@tandem/client';
import type { MessageKey, ShownError } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import { CallStage } from './CallStage.js';
import { ChatPanel } from './ChatPanel.js';
import { button, el } from './dom.js';
import { ErrorNotice, reasonOf } from './ErrorNotice.js';
import { QualityBadge } from './QualityBadge.js';

/** How a call view closed, so the page can show the right end screen. */
export type CallEnd =
  | { kind: 'ended'; reason: SessionEndReason }
  | { kind: 'left' }
  | { kind: 'replaced' }
  | { kind: 'failed'; reason: ShownError };

type CallViewEvents = {
  closed: [end: CallEnd];
  /** The local mic/camera state changed (published, muted, unmuted). */
  localChanged: [muted: { mic: boolean; camera: boolean }];
};

export interface LocalMedia {
  audio?: MediaStreamTrack | undefined;
  video?: MediaStreamTrack | undefined;
}

export interface CallViewOptions {
  waitingText: MessageKey;
  selfView: 'overlay' | 'strip';
  /** Start with the mic or camera muted (e.g. as they were before a reload). */
  muted?: Partial<Record<'mic' | 'camera', boolean>>;
}

const CONNECTION_TEXT: Record<ConnectionState, MessageKey> = {
  connecting: 'conn.connecting',
  connected: 'conn.connected',
  reconnecting: 'conn.reconnecting',
  disconnected: 'conn.disconnected',
};

/**
 * A joined call, as both sides see it: stage, mic/camera/leave controls, connection
 * state, who joined or left, and chat. Pages add their own controls to `toolbar` and
 * their own notices to `banners`.
 */
export class CallView extends TypedEmitter<CallViewEvents> {
  readonly element: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly banners: HTMLElement;
  readonly stage: CallStage;
  readonly errors = new ErrorNotice();
  readonly quality = new QualityBadge();
  readonly #connection: HTMLElement;
  readonly #peerStatus: HTMLElement;
  readonly #toggles: Record<'mic' | 'camera', HTMLButtonElement>;
  readonly #chat: ChatPanel;
  readonly #unbind: (() => void)[] = [];
  #closed = false;
  #leaving = false;

  constructor(
    readonly room: Room,
    private readonly options: CallViewOptions,
  ) {
    super();
    this.stage = new CallStage({
      waitingText: options.waitingText,
      selfView: options.selfView,
      peerName: (peerId) => room.peers.get(peerId)?.displayName,
    });
    this.#connection = el('p', { className: 'connection', testid: 'connection-state', attrs: { role: 'status' } });
    this.#peerStatus = el('p', { className: 'peer-status', testid: 'peer-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.banners = el('div', { className: 'banners' }, [this.errors.element]);
    this.#toggles = {
      mic: this.#toggle('mic-toggle', 'call.mic', 'mic'),
      camera: this.#toggle('cam-toggle', 'call.cam', 'camera'),
    };
    const leave = button({ className: 'btn btn-danger', testid: 'leave', text: 'call.leave' }, () => void this.leave());
    this.toolbar = el('div', { className: 'toolbar', attrs: { role: 'toolbar' } }, [this.#toggles.mic, this.#toggles.camera, leave]);
    this.#chat = new ChatPanel(room, this.errors);
    const main = el('div', { className: 'call-main' }, [
      el('div', { className: 'call-status' }, [this.#connection, this.quality.element, this.#peerStatus]),
      this.banners,
      this.stage.element,
      this.toolbar,
    ]);
    this.element = el('section', {
      className: 'call',
      testid: 'call-view',
      i18nAttrs: { 'aria-label': 'call.region' },
    }, [main, this.#chat.element]);

    this.#listen();
    this.#showConnection(room.connectionState);
    this.quality.show(room.connectionQuality);
    for (const track of room.remoteTracks.values()) this.stage.add(track);
    this.#syncLocal();
  }

  /** Publishes the local mic and camera; a failure is shown, the call goes on without it. */
  async publish(media: LocalMedia): Promise<void> {
    const jobs: Promise<unknown>[] = [];
    if (media.audio) jobs.push(this.room.publish(media.audio, 'mic'));
    if (media.video) jobs.push(this.room.publish(media.video, 'camera'));
    for (const result of await Promise.allSettled(jobs)) {
      if (result.status === 'rejected') this.errors.show(result.reason);
    }
    const startMuted = this.options.muted ?? {};
    await Promise.all((['mic', 'camera'] as const).filter((source) => startMuted[source]).map((source) => this.setMuted(source, true)));
    this.#syncLocal();
  }

  async setMuted(source: 'mic' | 'camera', muted: boolean): Promise<void> {
    if (!this.room.localPublications.has(source)) return;
    try {
      await this.room.setMuted(source, muted);
    } catch (error) {
      this.errors.show(error);
    }
    this.#syncLocal();
  }

  isMuted(source: MediaSource): boolean {
    return this.room.localPublications.get(source)?.muted ?? true;
  }

  /** Closes the view as `end` (e.g. the agent's own End session, before the server says so). */
  finish(end: CallEnd): void {
    this.#close(end);
  }

  async leave(): Promise<void> {
    this.#leaving = true;
    try {
      await this.room.leave();
    } catch {
      // Leaving must always work from the user's point of view; the server times the peer out.
    }
    this.#close({ kind: 'left' });
  }

  destroy(): void {
    this.#closed = true;
    for (const unbind of this.#unbind) unbind();
    this.#chat.destroy();
    this.stage.clear();
    this.element.remove();
  }

  #toggle(testid: string, text: MessageKey, source: 'mic' | 'camera'): HTMLButtonElement {
    // aria-pressed="true" means the device is on; the title says what a press will do.
    return button({ className: 'btn btn-toggle', testid, text }, () => void this.setMuted(source, !this.isMuted(source)));
  }

  #syncLocal(): void {
    for (const source of ['mic', 'camera'] as const) {
      const publication = this.room.localPublications.get(source);
      const toggle = this.#toggles[source];
      const on = publication ? !publication.muted : false;
      toggle.disabled = !publication;
      toggle.setAttribute('aria-pressed', String(on));
      toggle.dataset.state = on ? 'on' : 'off';
      const title: MessageKey = source === 'mic' ? (on ? 'call.micOn' : 'call.micOff') : on ? 'call.camOn' : 'call.camOff';
      i18n.attr(toggle, 'title', title);
    }
    const camera = this.room.localPublications.get('camera');
    this.stage.setLocalVideo(camera?.track ?? null, camera?.muted ?? true);
    const muted = (source: MediaSource): boolean => this.room.localPublications.get(source)?.muted ?? false;
    this.emit('localChanged', { mic: muted('mic'), camera: muted('camera') });
  }

  #showConnection(state: ConnectionState): void {
    this.element.dataset.state = state;
    this.#connection.dataset.state = state;
    i18n.text(this.#connection, CONNECTION_TEXT[state]);
  }

  #peerEvent(key: 'call.peerJoined' | 'call.peerLeft', name: string): void {
    this.#peerStatus.dataset.event = key === 'call.peerJoined' ? 'joined' : 'left';
    i18n.text(this.#peerStatus, key, { name });
  }

  #close(end: CallEnd): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('closed', end);
  }

  #listen(): void {
    const room = this.room;
    let lastError: ShownError | null = null;
    const names = new Map<string, string>([...room.peers.values()].map((peer) => [peer.peerId, peer.displayName]));
    const handlers = {
      connectionStateChanged: (state: ConnectionState) => {
        this.#showConnection(state);
        if (state === 'connected') this.#syncLocal();
        // The SDK announces why (sessionEnded, replaced, error) before it turns disconnected,
        // so reaching here still open means the connection was lost for good.
        if (state === 'disconnected' && !this.#leaving) this.#close({ kind: 'failed', reason: lastError ?? 'CONNECTION_LOST' });
      },
      peerJoined: (peer: PeerInfo) => {
        names.set(peer.peerId, peer.displayName);
        this.stage.renamePeer(peer);
        this.#peerEvent('call.peerJoined', peer.displayName);
      },
      peerLeft: (peerId: string) => {
        this.#peerEvent('call.peerLeft', names.get(peerId) ?? i18n.t('call.someone'));
      },
      trackSubscribed: (track: RemoteTrack) => this.stage.add(track),
      trackUnsubscribed: (track: RemoteTrack) => this.stage.remove(track),
      trackMuteChanged: (track: RemoteTrack) => this.stage.setPaused(track),
      localTrackEnded: (_publication: LocalPublication) => this.#syncLocal(),
      connectionQualityChanged: (quality: ConnectionQuality) => this.quality.show(quality),
      sessionEnded: (reason: SessionEndReason) => this.#close({ kind: 'ended', reason }),
      replaced: () => this.#close({ kind: 'replaced' }),
      error: (error: RoomError) => {
        lastError = reasonOf(error);
        if (room.connectionState === 'disconnected') this.#close({ kind: 'failed', reason: lastError });
        else this.errors.show(error);
      },
    };
    for (const [event, handler] of Object.entries(handlers)) {
      room.on(event as 'error', handler as () => void);
      this.#unbind.push(() => room.off(event as 'error', handler as () => void));
    }
  }
}
