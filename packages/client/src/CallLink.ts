import {
  PROTOCOL_VERSION,
  type ClientResults,
  type JoinResult,
  type MediaSource,
  type RtpCapabilities as WireRtpCapabilities,
  type RtpParameters as WireRtpParameters,
} from '@tandem/protocol';
import type { Device, types } from 'mediasoup-client';
import { RoomError } from './RoomTypes.js';
import { SignalingChannel, type ServerNotice, type WebSocketConstructor } from './SignalingChannel.js';
import type { TandemApi } from './TandemApi.js';
import { producerOptions, tuneSender, type MediaProfile } from './mediaProfile.js';
import { iceOptions, transportOptions } from './transportOptions.js';
import { IceRestarts, type IceRestartTiming } from './IceRestarts.js';

export interface CallLinkOptions {
  serverUrl: string;
  token: string;
  displayName?: string;
  device: Device;
  api: TandemApi;
  WebSocket?: WebSocketConstructor;
  /** 'relay': media only through the TURN servers of the join result (tests, locked-down networks). */
  iceTransportPolicy?: 'all' | 'relay';
  /** A transport could not connect its media at all (a restart is tried anyway). */
  onMediaUnreachable?: (error: RoomError) => void;
  /** How produced media is encoded; default 'tandem'. */
  mediaProfile?: MediaProfile;
  /** When a transport whose media path is gone gets new ICE credentials; default ICE_RESTART_TIMING. */
  iceRestartTiming?: IceRestartTiming;
}

/** `https://host` → `wss://host/ws`. */
export function signalingUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/**
 * One joined peer: a socket, its join result and the two transports built from it.
 * When the socket drops, `resume` puts a new socket in its place and the transports (and
 * so the media) carry on; when that is refused, the link is thrown away and a new one joins.
 */
export class CallLink {
  channel: SignalingChannel;
  readonly join: JoinResult;
  readonly sendTransport: types.Transport;
  readonly recvTransport: types.Transport;
  #queue: ServerNotice[] | null = [];
  #listener: ((notice: ServerNotice) => void) | null = null;
  #closed = false;
  /** Highest notification seq applied: what a resume asks the server to replay after. */
  #lastSeq: number;

  /** Opens the socket and loads the device in parallel, then joins and builds the transports. */
  static async open(options: CallLinkOptions): Promise<CallLink> {
    const url = signalingUrl(options.serverUrl);
    const needsCapabilities = !options.device.loaded;
    const [channelResult, capabilitiesResult] = await Promise.allSettled([
      SignalingChannel.connect(url, options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      needsCapabilities ? options.api.routerCapabilities() : Promise.resolve(null),
    ]);
    if (channelResult.status === 'rejected') throw channelResult.reason;
    const channel = channelResult.value;
    try {
      if (capabilitiesResult.status === 'rejected') throw capabilitiesResult.reason;
      // Notifications are held from the first frame on, so none slips by while we join.
      const queue: ServerNotice[] = [];
      const hold = (notice: ServerNotice): void => void queue.push(notice);
      channel.on('notification', hold);
      if (capabilitiesResult.value && !options.device.loaded) {
        await loadDevice(options.device, capabilitiesResult.value);
      }
      await channel.hello();
      const join = await channel.request('join', {
        protocolVersion: PROTOCOL_VERSION,
        token: options.token,
        rtpCapabilities: options.device.rtpCapabilities as unknown as WireRtpCapabilities,
        ...(options.displayName ? { displayName: options.displayName } : {}),
      });
      channel.off('notification', hold);
      return new CallLink(channel, join, options, queue);
    } catch (error) {
      channel.close();
      throw error instanceof RoomError ? error : new RoomError('MEDIA_ERROR', `cannot set up the call: ${String(error)}`);
    }
  }

  private constructor(channel: SignalingChannel, join: JoinResult, options: CallLinkOptions, queue: ServerNotice[]) {
    this.channel = channel;
    this.join = join;
    this.#lastSeq = join.seq;
    this.#queue = queue;
    this.#onMediaUnreachable = options.onMediaUnreachable;
    this.#relayOnly = options.iceTransportPolicy === 'relay';
    this.#mediaProfile = options.mediaProfile === 'plain' ? 'plain' : 'tandem';
    this.#iceRestarts = new IceRestarts((transport) => this.#restartIce(transport.id), options.iceRestartTiming);
    channel.on('notification', (notice) => this.#deliver(notice));
    const ice = iceOptions(join.iceServers, options.iceTransportPolicy);
    this.sendTransport = options.device.createSendTransport({ ...transportOptions(join.sendTransport), ...ice });
    this.recvTransport = options.device.createRecvTransport({ ...transportOptions(join.recvTransport), ...ice });
    for (const transport of [this.sendTransport, this.recvTransport]) {
      this.#wire(transport);
      this.#watchReach(transport);
      this.#iceRestarts.watch(transport);
    }
  }

  readonly #onMediaUnreachable: CallLinkOptions['onMediaUnreachable'];
  readonly #relayOnly: boolean;
  readonly #mediaProfile: MediaProfile;
  readonly #iceRestarts: IceRestarts;

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts delivering notifications, first the held ones the join result does not already reflect. */
  listen(listener: (notice: ServerNotice) => void): void {
    this.#listener = listener;
    const held = this.#queue ?? [];
    this.#queue = null;
    for (const notice of held) this.#deliver(notice);
  }

  async produce(track: MediaStreamTrack, source: MediaSource, muted: boolean): Promise<types.Producer> {
    const producer = await this.sendTransport.produce(producerOptions(this.#mediaProfile, source, track));
    await tuneSender(this.#mediaProfile, source, producer);
    if (muted) {
      producer.pause();
      await this.channel.request('pauseProducer', { producerId: producer.id });
    }
    return producer;
  }

  /** Consumes a remote producer and resumes it once the local consumer is ready for media. */
  async consume(producerId: string): Promise<{ consumer: types.Consumer; info: ClientResults['consume'] }> {
    const info = await this.channel.request('consume', { producerId });
    const consumer = await this.recvTransport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
      // A peer's tracks share one stream, which the browser lip-syncs: the camera waits for
      // the voice. A screen has no lips; in a stream of its own it is never held back behind
      // the voice's jitter buffer (400 ms on a lossy link: AudioPlayout).
      ...(info.source === 'screen' ? { streamId: `screen-${info.producerId}` } : {}),
    });
    try {
      await this.channel.request('resumeConsumer', { consumerId: consumer.id });
    } catch (error) {
      consumer.close();
      throw error;
    }
    return { consumer, info };
  }

  /**
   * A new socket takes this peer back after the old one dropped: the server replays the
   * notifications missed since `lastSeq`, transports and media are untouched. Throws
   * RoomError RESUME_FAILED when the server cannot (then join afresh).
   */
  async resume(options: Pick<CallLinkOptions, 'serverUrl' | 'token' | 'WebSocket'>): Promise<void> {
    const channel = await SignalingChannel.connect(signalingUrl(options.serverUrl), options.WebSocket ? { WebSocket: options.WebSocket } : {});
    const held: ServerNotice[] = [];
    const hold = (notice: ServerNotice): void => void held.push(notice);
    channel.on('notification', hold);
    try {
      await channel.hello();
      await channel.request('resume', {
        protocolVersion: PROTOCOL_VERSION,
        token: options.token,
        resumeToken: this.join.resumeToken,
        lastSeq: this.#lastSeq,
      });
    } catch (error) {
      channel.close();
      throw error instanceof RoomError ? error : new RoomError('CONNECTION_LOST', `cannot resume: ${String(error)}`);
    }
    if (this.#closed) {
      channel.close();
      throw new RoomError('CONNECTION_LOST', 'the link was closed while resuming');
    }
    channel.off('notification', hold);
    this.channel.close();
    this.channel = channel;
    channel.on('notification', (notice) => this.#deliver(notice));
    for (const notice of held) this.#deliver(notice);
    // A transport that lost its path while we had no socket could not ask for new credentials then.
    this.#iceRestarts.signalingBack();
  }

  /** Closes socket and transports; local tracks survive (producers never stop them). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener = null;
    this.#iceRestarts.close();
    this.channel.close();
    this.sendTransport.close();
    this.recvTransport.close();
  }

  #deliver(notice: ServerNotice): void {
    if (this.#closed) return;
    if (this.#queue) {
      this.#queue.push(notice);
      return;
    }
    // Already reflected in the join result, or already applied (a resume replays from lastSeq on).
    if (notice.seq >= 0) {
      if (notice.seq <= this.#lastSeq) return;
      this.#lastSeq = notice.seq;
    }
    this.#listener?.(notice);
  }

  /**
   * Says once that a transport has no route to the SFU: it failed before it ever
   * connected, or gathering ended and it is still 'new' a grace period later, i.e. it
   * has no local candidate to try (relay-only and the relay refused us, e.g. 401 on an
   * expired or wrong credential). Chrome never declares a transport without candidates
   * 'failed', so the second rule is what tells such a customer anything at all.
   */
  #watchReach(transport: types.Transport): void {
    let settled = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const report = (): void => {
      if (settled || this.#closed) return;
      settled = true;
      clearTimeout(grace);
      const via = this.#relayOnly ? ' through the relay' : '';
      this.#onMediaUnreachable?.(new RoomError('MEDIA_ERROR', `the ${transport.direction} media connection could not be established${via}`));
    };
    const arm = (): void => {
      if (settled || grace || transport.iceGatheringState !== 'complete') return;
      grace = setTimeout(() => transport.connectionState === 'new' && report(), NO_CANDIDATE_GRACE_MS);
    };
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected') {
        settled = true;
        clearTimeout(grace);
      } else if (state === 'failed') report();
    });
    transport.on('icegatheringstatechange', arm);
  }

  #wire(transport: types.Transport): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.channel
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.channel
        .request('produce', {
          transportId: transport.id,
          kind,
          source: appData.source as MediaSource,
          rtpParameters: rtpParameters as unknown as WireRtpParameters,
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }

  /** The media path is gone (network change, long outage): new ICE credentials from the server keep the same transport. */
  async #restartIce(transportId: string): Promise<void> {
    const transport = transportId === this.sendTransport.id ? this.sendTransport : this.recvTransport;
    if (this.#closed || transport.closed) return;
    const { iceParameters } = await this.channel.request('restartIce', { transportId });
    if (!transport.closed) await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
  }
}

async function loadDevice(device: Device, routerRtpCapabilities: WireRtpCapabilities): Promise<void> {
  try {
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as unknown as types.RtpCapabilities });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'UnsupportedError') throw new RoomError('MEDIA_UNSUPPORTED', `this browser cannot do WebRTC calls: ${String(error)}`);
    throw new RoomError('MEDIA_ERROR', `cannot load the media device: ${String(error)}`);
  }
}

/** With any local candidate, ICE leaves 'new' (starts checking) at once after gathering ends; this is slack. */
const NO_CANDIDATE_GRACE_MS = 3_000;

/** Tandem's TURN servers (if any) for a transport, checked: a server's bad entry must not break the call. */
