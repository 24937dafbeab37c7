import type { PeerInfo } from '@tandem/protocol';
import type { RemoteTrack } from '@tandem/client';
import type { MessageKey } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import { button, el, selfVideo } from './dom.js';

export interface CallStageOptions {
  /** Shown on the main stage while nobody else has video. */
  waitingText: MessageKey;
  /** Customer: self view floats small over the stage. Agent: it sits in the side strip. */
  selfView: 'overlay' | 'strip';
  peerName: (peerId: string) => string | undefined;
}

interface VideoTile {
  track: RemoteTrack;
  tile: HTMLElement;
  video: HTMLVideoElement;
}

/**
 * Where the call's videos go. A shared screen always takes the main stage (that is what
 * the agent needs to read) and cameras move to the side strip; otherwise the other
 * person's camera is large. Remote audio plays through its own <audio> elements so
 * videos can stay muted (autoplay rules).
 */
export class CallStage {
  readonly element: HTMLElement;
  readonly #main: HTMLElement;
  readonly #strip: HTMLElement;
  readonly #waiting: HTMLElement;
  readonly #audio: HTMLElement;
  readonly #soundButton: HTMLButtonElement;
  readonly #self: HTMLElement;
  readonly #selfVideo: HTMLVideoElement;
  readonly #videos = new Map<string, VideoTile>();
  readonly #audios = new Map<string, HTMLAudioElement>();

  constructor(private readonly options: CallStageOptions) {
    this.#waiting = el('p', { className: 'stage-waiting', text: options.waitingText });
    this.#main = el('div', { className: 'stage-main', attrs: { role: 'region' }, i18nAttrs: { 'aria-label': 'call.stage' } }, [this.#waiting]);
    this.#strip = el('div', { className: 'stage-strip', attrs: { role: 'region' }, i18nAttrs: { 'aria-label': 'call.strip' } });
    this.#audio = el('div', { className: 'stage-audio', attrs: { hidden: '' } });
    this.#soundButton = button({ className: 'btn btn-primary stage-sound', testid: 'enable-sound', text: 'call.enableSound' }, () => this.#playAll());
    this.#soundButton.hidden = true;
    this.#selfVideo = selfVideo('local-video');
    this.#self = el('div', { className: `tile tile-self tile-self-${options.selfView}`, attrs: { 'data-paused': 'true' } }, [
      this.#selfVideo,
      el('span', { className: 'tile-label', text: 'call.you' }),
      el('span', { className: 'tile-off', text: 'call.cameraOff' }),
    ]);
    this.element = el('div', { className: `stage stage-self-${options.selfView}` }, [
      this.#main, this.#strip, this.#audio, this.#soundButton,
    ]);
    this.#layout();
  }

  /** Shows the local camera in the self view; null or a muted camera shows "camera off". */
  setLocalVideo(track: MediaStreamTrack | null, muted = false): void {
    const current = (this.#selfVideo.srcObject as MediaStream | null)?.getVideoTracks()[0];
    if (track && current !== track) this.#selfVideo.srcObject = new MediaStream([track]);
    if (!track) this.#selfVideo.srcObject = null;
    this.#self.dataset.paused = String(!track || muted);
  }

  add(track: RemoteTrack): void {
    if (track.kind === 'audio') {
      this.#audios.get(track.consumerId)?.remove();
      const audio = el('audio', { attrs: { autoplay: '', 'data-peer-id': track.peerId, 'data-source': track.source } });
      audio.srcObject = new MediaStream([track.track]);
      this.#audios.set(track.consumerId, audio);
      this.#audio.append(audio);
      this.#play(audio);
      return;
    }
    this.remove(track);
    const video = el('video', {
      className: `video video-${track.source}`,
      testid: track.source === 'screen' ? 'remote-screen' : 'remote-camera',
      attrs: { autoplay: '', playsinline: '', muted: '', 'data-peer-id': track.peerId, 'data-source': track.source },
    });
    video.muted = true;
    video.srcObject = new MediaStream([track.track]);
    const name = this.options.peerName(track.peerId) ?? i18n.t('call.someone');
    i18n.attr(video, 'aria-label', track.source === 'screen' ? 'call.remoteScreen' : 'call.remoteCamera', { name });
    const label = el('span', { className: 'tile-label' });
    label.textContent = name;
    const tile = el('div', { className: `tile tile-${track.source}`, attrs: { 'data-peer-id': track.peerId } }, [
      video, label, el('span', { className: 'tile-off', text: 'call.cameraOff' }),
    ]);
    tile.dataset.paused = String(track.paused);
    this.#videos.set(track.consumerId, { track, tile, video });
    this.#play(video);
    this.#layout();
  }

  remove(track: RemoteTrack): void {
    const audio = this.#audios.get(track.consumerId);
    if (audio) {
      audio.srcObject = null;
      audio.remove();
      this.#audios.delete(track.consumerId);
    }
    const tile = this.#videos.get(track.consumerId);
    if (tile) {
      tile.video.srcObject = null;
      tile.tile.remove();
      this.#videos.delete(track.consumerId);
      this.#layout();
    }
  }

  setPaused(track: RemoteTrack): void {
    const tile = this.#videos.get(track.consumerId);
    if (tile) tile.tile.dataset.paused = String(track.paused);
  }

  /** Names in labels follow the peer list (a display name can arrive after its track). */
  renamePeer(peer: PeerInfo): void {
    for (const { track, tile, video } of this.#videos.values()) {
      if (track.peerId !== peer.peerId) continue;
      const label = tile.querySelector('.tile-label');
      if (label) label.textContent = peer.displayName;
      i18n.attr(video, 'aria-label', track.source === 'screen' ? 'call.remoteScreen' : 'call.remoteCamera', { name: peer.displayName });
    }
  }

  get hasRemoteScreen(): boolean {
    return [...this.#videos.values()].some(({ track }) => track.source === 'screen');
  }

  clear(): void {
    for (const { track } of [...this.#videos.values()]) this.remove(track);
    for (const audio of this.#audios.values()) audio.srcObject = null;
    this.#audio.replaceChildren();
    this.#audios.clear();
    this.#selfVideo.srcObject = null;
  }

  #layout(): void {
    const tiles = [...this.#videos.values()];
    const lead = tiles.find(({ track }) => track.source === 'screen') ?? tiles[0];
    const rest = tiles.filter((tile) => tile !== lead).map(({ tile }) => tile);
    this.#main.replaceChildren(...(lead ? [lead.tile] : [this.#waiting]));
    if (this.options.selfView === 'overlay') {
      this.#main.append(this.#self);
      this.#strip.replaceChildren(...rest);
    } else {
      this.#strip.replaceChildren(...rest, this.#self);
    }
    this.element.dataset.layout = lead?.track.source === 'screen' ? 'screen' : 'camera';
    this.#strip.hidden = this.#strip.childElementCount === 0;
    // Moving a <video> in the DOM pauses it in some browsers; start it again.
    for (const { video } of tiles) if (video.paused) this.#play(video);
    if (this.#selfVideo.srcObject && this.#selfVideo.paused) this.#play(this.#selfVideo);
  }

  #play(media: HTMLMediaElement): void {
    media.play().catch((error: unknown) => {
      // Without a user gesture browsers may refuse to play sound: offer a button.
      if ((error as { name?: string }).name === 'NotAllowedError' && !media.muted) this.#soundButton.hidden = false;
    });
  }

  #playAll(): void {
    this.#soundButton.hidden = true;
    for (const media of [...this.#audios.values(), ...[...this.#videos.values()].map(({ video }) => video)]) this.#play(media);
  }
}
