import {
  MAX_CHAT_CHARS,
  TypedEmitter,
  type ChatMessage,
  type ClientMethod,
  type ClientParams,
  type ClientResults,
  type MediaSource,
  type PeerInfo,
  type Role,
} from '@tandem/protocol';
import { Device } from 'mediasoup-client';
import { CallLink } from './CallLink.js';
import { ChatTranscript } from './ChatTranscript.js';
import type { ConnectionQuality } from './ConnectionQuality.js';
import { Publications } from './Publications.js';
import { DEFAULT_QUALITY_INTERVAL_MS, QualityMonitor } from './QualityMonitor.js';
import { AudioPlayout } from './AudioPlayout.js';
import { transportReader } from './QualityStats.js';
import { DefaultReconnectPolicy, reconnectOnSchedule } from './ReconnectPolicy.js';
import {
  RoomError,
  type ConnectionState,
  type LocalPublication,
  type ReconnectPolicy,
  type RemoteTrack,
  type RoomApi,
  type RoomEvents,
  type RoomOptions,
} from './RoomTypes.js';
import type { ServerNotice } from './SignalingChannel.js';
import { Subscriptions } from './Subscriptions.js';
import { TandemApi } from './TandemApi.js';
import { isChatMessage, isPeerInfo, isProducerInfo, isString } from './wireShapes.js';

/** Joins the call; resolves once joined. Remote tracks then arrive as `trackSubscribed` events. */
export function connectRoom(options: RoomOptions): Promise<Room> {
  return Room.connect(options);
}

/** A joined support call, surviving socket drops by rejoining as the same peer. */
export class Room extends TypedEmitter<RoomEvents> implements RoomApi {
  #peerId = '';
  #role: Role = 'customer';
  #sessionId = '';
  #state: ConnectionState = 'connecting';
  #link: CallLink | null = null;
  #closed = false;
  readonly #peers = new Map<string, PeerInfo>();
  readonly #chat = new ChatTranscript();
  readonly #options: RoomOptions;
  readonly #device: Device;
  readonly #api: TandemApi;
  readonly #policy: ReconnectPolicy;
  readonly #quality: QualityMonitor;
  /** Deepens a remote voice's jitter buffer while it is being concealed ('tandem' profile only). */
  readonly #playout = new AudioPlayout(() => this.#subscriptions.audioReceivers());
  #playoutTimer: ReturnType<typeof setInterval> | undefined;
  readonly #subscriptions = new Subscriptions({
    subscribed: (track) => this.emit('trackSubscribed', track),
    unsubscribed: (track) => this.emit('trackUnsubscribed', track),
    muteChanged: (track) => this.emit('trackMuteChanged', track),
    error: (error) => this.emit('error', error),
  });
  readonly #publications = new Publications({
    ended: (publication) => this.emit('localTrackEnded', publication),
    error: (error) => this.emit('error', error),
  });

  static async connect(options: RoomOptions): Promise<Room> {
    if (!isAbsoluteUrl(options?.serverUrl)) {
      throw new RoomError('BAD_PARAMS', 'serverUrl must be an absolute URL');
    }
    if (typeof options.token !== 'string' || options.token.length === 0) throw new RoomError('BAD_PARAMS', 'token is required');
    let device = options.device;
    if (!device) {
      try {
        device = await Device.factory();
      } catch (error) {
        throw new RoomError('MEDIA_UNSUPPORTED', `this browser cannot do WebRTC calls: ${String(error)}`);
      }
    }
    const room = new Room(options, device);
    await room.#establish();
    room.#quality.start();
    if (options.mediaProfile !== 'plain') room.#playoutTimer = setInterval(() => void room.#playout.check(), DEFAULT_QUALITY_INTERVAL_MS);
    return room;
  }

  private constructor(options: RoomOptions, device: Device) {
    super();
    this.#options = options;
    this.#device = device;
    this.#api = new TandemApi(options.serverUrl, options.fetch);
    this.#policy = options.reconnectPolicy ?? new DefaultReconnectPolicy();
    const read = transportReader();
    this.#quality = new QualityMonitor({
      read: () => read({
        roomState: this.#state,
        link: this.#link,
        sendingTrackIds: new Set([...this.#publications.list.values()].filter((p) => !p.muted).map((p) => p.track.id)),
        receivingTrackIds: new Set([...this.#subscriptions.tracks.values()].filter((t) => !t.paused).map((t) => t.track.id)),
      }),
      changed: (quality) => this.emit('connectionQualityChanged', quality),
      ...(options.qualityIntervalMs !== undefined ? { intervalMs: options.qualityIntervalMs } : {}),
    });
  }

  get peerId(): string { return this.#peerId; }
  get role(): Role { return this.#role; }
  get sessionId(): string { return this.#sessionId; }
  get connectionState(): ConnectionState { return this.#state; }
  get peers(): ReadonlyMap<string, PeerInfo> { return this.#peers; }
  /** Keyed by consumer id. */
  get remoteTracks(): ReadonlyMap<string, RemoteTrack> { return this.#subscriptions.tracks; }
  get localPublications(): ReadonlyMap<MediaSource, LocalPublication> { return this.#publications.list; }
  get chat(): readonly ChatMessage[] { return this.#chat.lines; }
  get connectionQuality(): ConnectionQuality | null { return this.#quality.current; }

  publish(track: MediaStreamTrack, source: MediaSource): Promise<LocalPublication> {
    this.#assertOpen();
    return this.#publications.publish(track, source);
  }

  /** Stops sending `source` and, unless `stopTrack` is false, stops the track (camera light off). */
  unpublish(source: MediaSource, stopTrack = true): Promise<void> {
    return this.#publications.unpublish(source, stopTrack);
  }

  setMuted(source: MediaSource, muted: boolean): Promise<void> {
    this.#assertOpen();
    return this.#publications.setMuted(source, muted);
  }

  async sendChat(text: string): Promise<ChatMessage> {
    if (typeof text !== 'string' || text.trim().length === 0) throw new RoomError('BAD_PARAMS', 'a chat line cannot be empty');
    if (text.length > MAX_CHAT_CHARS) throw new RoomError('BAD_PARAMS', `a chat line has at most ${MAX_CHAT_CHARS} characters`);
    const { message } = await this.#request('sendChat', { text, clientMessageId: randomId() });
    this.#mergeChat([message], true);
    return message;
  }

  async requestScreen(): Promise<string> {
    return (await this.#request('requestScreen', {})).requestId;
  }

  async answerScreenRequest(requestId: string, accepted: boolean): Promise<void> {
    if (!isString(requestId) || typeof accepted !== 'boolean') throw new RoomError('BAD_PARAMS', 'requestId and accepted are required');
    await this.#request('answerScreenRequest', { requestId, accepted });
  }

  async endSession(): Promise<void> {
    try {
      await this.#request('endSession', {});
    } catch (error) {
      if (this.#closed) return; // the sessionEnded notification beat the reply
      throw error;
    }
    this.#finish(() => this.emit('sessionEnded', 'ended-by-agent'));
  }

  async leave(): Promise<void> {
    if (this.#closed) return;
    const link = this.#link;
    this.#closed = true; // no reconnect may start while we say goodbye
    if (link && this.#state === 'connected') await link.channel.request('leave', {}, 2_000).catch(() => undefined);
    this.#finish(() => undefined);
  }

  getInboundVideoStats(): Promise<Map<string, RTCInboundRtpStreamStats>> {
    return this.#subscriptions.inboundVideoStats();
  }

  async #establish(opening?: Promise<CallLink>): Promise<void> {
    const link = await (opening ?? this.#openLink());
    if (this.#closed) {
      link.close();
      throw new RoomError('CONNECTION_LOST', 'the room was closed');
    }
    const rejoin = this.#peerId !== '';
    const { join } = link;
    this.#link = link;
    this.#peerId = join.peerId;
    this.#role = join.role;
    this.#sessionId = join.sessionId;
    this.#syncPeers(join.peers, rejoin);
    this.#mergeChat(join.chat, rejoin);
    this.#watch(link);
    link.listen((notice) => this.#onNotice(link, notice));
    this.#setState('connected');
    this.#subscriptions.attach(link, join.producers);
    void this.#publications.attach(link);
  }

  #onNotice(link: CallLink, notice: ServerNotice): void {
    if (link !== this.#link || this.#closed) return;
    const p = notice.params as Record<string, unknown> | undefined;
    const bad = (): void => this.emit('error', new RoomError('BAD_MESSAGE', `ignored a malformed ${notice.method} notification`));
    if (typeof p !== 'object' || p === null) return bad();
    switch (notice.method) {
      case 'peerJoined':
        if (!isPeerInfo(p.peer)) return bad();
        if (p.peer.peerId === this.#peerId) return;
        this.#peers.set(p.peer.peerId, p.peer);
        return this.emit('peerJoined', p.peer);
      case 'peerLeft':
        if (!isString(p.peerId)) return bad();
        this.#subscriptions.removePeer(p.peerId);
        if (this.#peers.delete(p.peerId)) this.emit('peerLeft', p.peerId);
        return;
      case 'newProducer':
        if (!isProducerInfo(p.producer)) return bad();
        return this.#subscriptions.add(p.producer);
      case 'producerClosed':
        if (!isString(p.producerId)) return bad();
        return this.#subscriptions.removeProducer(p.producerId);
      case 'consumerClosed':
        if (!isString(p.consumerId)) return bad();
        return this.#subscriptions.removeConsumer(p.consumerId);
      case 'producerPaused':
      case 'producerResumed':
        if (!isString(p.producerId)) return bad();
        return this.#subscriptions.setPaused(p.producerId, notice.method === 'producerPaused');
      case 'chatMessage':
        if (!isChatMessage(p.message)) return bad();
        return this.#mergeChat([p.message], true);
      case 'screenRequested':
        if (!isString(p.requestId) || !isPeerInfo(p.from)) return bad();
        return this.emit('screenRequested', { requestId: p.requestId, from: p.from });
      case 'screenRequestAnswered':
        if (!isString(p.requestId) || typeof p.accepted !== 'boolean') return bad();
        return this.emit('screenRequestAnswered', { requestId: p.requestId, accepted: p.accepted });
      case 'sessionEnded': {
        const reason = notice.params.reason;
        if (!isString(reason)) return bad();
        return this.#finish(() => this.emit('sessionEnded', reason));
      }
      case 'replaced':
        return this.#finish(() => this.emit('replaced'));
      case 'serverShuttingDown':
        // This server goes away with what it held for a resume: join again through another.
        return this.#drop(link, 'rejoin');
      case 'callMoved':
        // The call is already waiting on another media node: go now, no backoff.
        return this.#drop(link, 'rejoin-now');
      default:
        return; // hello, and notifications newer than this client
    }
  }

  #openLink(): Promise<CallLink> {
    return CallLink.open({
      serverUrl: this.#options.serverUrl,
      token: this.#options.token,
      device: this.#device,
      api: this.#api,
      ...(this.#options.displayName ? { displayName: this.#options.displayName } : {}),
      ...(this.#options.WebSocket ? { WebSocket: this.#options.WebSocket } : {}),
      ...(this.#options.iceTransportPolicy === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
      ...(this.#options.mediaProfile === 'plain' ? { mediaProfile: 'plain' as const } : {}),
      onMediaUnreachable: (error) => this.emit('error', error),
    });
  }

  /** The socket's own events: a drop that was not ours starts a resume. */
  #watch(link: CallLink): void {
    const channel = link.channel;
    channel.on('closed', (info) => {
      if (!info.byClient && link.channel === channel) this.#drop(link, 'resume');
    });
    channel.on('error', (error) => this.emit('error', error));
  }

  /**
   * The socket is gone. `resume`: the network dropped it, so take the same peer back on a
   * new socket while media keeps flowing (a full rejoin only if the server says no).
   * `rejoin`: the server told us to join again; `rejoin-now` without any backoff.
   */
  #drop(link: CallLink, how: 'resume' | 'rejoin' | 'rejoin-now'): void {
    if (this.#closed || link !== this.#link) return;
    if (how === 'resume') {
      this.#setState('reconnecting');
      void this.#resume(link);
      return;
    }
    // Told to go now: dial before tearing down, so closing the old peer connections and
    // media elements (~200 ms of main thread) overlaps the new handshake and join.
    const opening = how === 'rejoin-now' ? this.#openLink() : undefined;
    opening?.catch(() => undefined); // judged by the first attempt below
    this.#detach();
    this.#setState('reconnecting');
    void this.#reconnect(opening);
  }

  async #resume(link: CallLink): Promise<void> {
    let resumable = true;
    const attempt = async (): Promise<void> => {
      if (resumable && link === this.#link) {
        try {
          await link.resume({
            serverUrl: this.#options.serverUrl,
            token: this.#options.token,
            ...(this.#options.WebSocket ? { WebSocket: this.#options.WebSocket } : {}),
          });
          this.#watch(link);
          this.#setState('connected');
          return;
        } catch (error) {
          if (!(error instanceof RoomError && error.reason === 'RESUME_FAILED')) throw error;
          resumable = false; // the server forgot us (restart, too long away, another server): join afresh
          this.#detach();
        }
      }
      await this.#establish();
    };
    const failure = await reconnectOnSchedule(this.#policy, attempt, () => this.#closed, true);
    if (failure && !this.#closed) this.#finish(() => this.emit('error', failure));
  }

  async #reconnect(opening?: Promise<CallLink>): Promise<void> {
    let early = opening;
    const attempt = (): Promise<void> => {
      const first = early;
      early = undefined;
      return this.#establish(first);
    };
    const failure = await reconnectOnSchedule(this.#policy, attempt, () => this.#closed, opening !== undefined);
    if (failure && !this.#closed) this.#finish(() => this.emit('error', failure));
  }

  #detach(): void {
    const link = this.#link;
    this.#link = null;
    this.#publications.detach();
    this.#subscriptions.detach();
    link?.close();
  }

  /** Final close: no reconnect, devices released; `announce` runs before the state turns disconnected. */
  #finish(announce: () => void): void {
    if (this.#state === 'disconnected') return;
    this.#closed = true;
    this.#quality.stop();
    clearInterval(this.#playoutTimer);
    this.#detach();
    this.#publications.stopAll();
    announce();
    this.#setState('disconnected');
  }

  #syncPeers(peers: readonly PeerInfo[], announce: boolean): void {
    const next = new Map(peers.filter((peer) => isPeerInfo(peer) && peer.peerId !== this.#peerId).map((peer) => [peer.peerId, peer]));
    for (const peerId of [...this.#peers.keys()]) {
      if (next.has(peerId)) continue;
      this.#peers.delete(peerId);
      if (announce) this.emit('peerLeft', peerId);
    }
    for (const [peerId, peer] of next) {
      const known = this.#peers.has(peerId);
      this.#peers.set(peerId, peer);
      if (announce && !known) this.emit('peerJoined', peer);
    }
  }

  #mergeChat(messages: readonly ChatMessage[], announce: boolean): void {
    const fresh = this.#chat.merge(messages);
    if (announce) for (const message of fresh) this.emit('chatMessage', message);
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('connectionStateChanged', state);
    void this.#quality.refresh(); // a drop or a return shows without waiting for the next poll
  }

  #assertOpen(): void {
    if (this.#closed) throw new RoomError('BAD_STATE', 'the room is closed');
  }

  #request<M extends ClientMethod>(method: M, params: ClientParams<M>): Promise<ClientResults[M]> {
    if (this.#closed) return Promise.reject(new RoomError('BAD_STATE', 'the room is closed'));
    const link = this.#link;
    if (!link || this.#state !== 'connected') return Promise.reject(new RoomError('CONNECTION_LOST', `cannot ${method} while reconnecting`));
    return link.channel.request(method, params);
  }
}

/** Idempotency key for a chat line; getRandomValues works outside secure contexts too. */
function randomId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function isAbsoluteUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
