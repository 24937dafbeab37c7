import {
  PROTOCOL_VERSION,
  type ClientResults,
  type JoinResult,
  type MediaSource,
  type RtpCapabilities as WireRtpCapabilities,
  type RtpParameters as WireRtpParameters,
  type TransportOptions as WireTransportOptions,
} from '@tandem/protocol';
import type { Device, types } from 'mediasoup-client';
import { RoomError } from './RoomTypes.js';
import { SignalingChannel, type ServerNotice, type WebSocketConstructor } from './SignalingChannel.js';
import type { TandemApi } from './TandemApi.js';
import { publishSettings } from './publishSettings.js';

export interface CallLinkOptions {
  serverUrl: string;
  token: string;
  displayName?: string;
  device: Device;
  api: TandemApi;
  WebSocket?: WebSocketConstructor;
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
 * One joined connection: a socket, its join result and the two transports built from it.
 * A reconnect throws the whole link away and opens a new one.
 */
export class CallLink {
  readonly channel: SignalingChannel;
  readonly join: JoinResult;
  readonly sendTransport: types.Transport;
  readonly recvTransport: types.Transport;
  #queue: ServerNotice[] | null = [];
  #listener: ((notice: ServerNotice) => void) | null = null;
  #closed = false;

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
      return new CallLink(channel, join, options.device, queue);
    } catch (error) {
      channel.close();
      throw error instanceof RoomError ? error : new RoomError('MEDIA_ERROR', `cannot set up the call: ${String(error)}`);
    }
  }

  private constructor(channel: SignalingChannel, join: JoinResult, device: Device, queue: ServerNotice[]) {
    this.channel = channel;
    this.join = join;
    this.#queue = queue;
    channel.on('notification', (notice) => this.#deliver(notice));
    this.sendTransport = device.createSendTransport(transportOptions(join.sendTransport));
    this.recvTransport = device.createRecvTransport(transportOptions(join.recvTransport));
    for (const transport of [this.sendTransport, this.recvTransport]) this.#wire(transport);
  }

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
    const producer = await this.sendTransport.produce(publishSettings(source, track));
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
    });
    try {
      await this.channel.request('resumeConsumer', { consumerId: consumer.id });
    } catch (error) {
      consumer.close();
      throw error;
    }
    return { consumer, info };
  }

  /** Closes socket and transports; local tracks survive (producers never stop them). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener = null;
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
    if (notice.seq >= 0 && notice.seq <= this.join.seq) return; // already in the join result
    this.#listener?.(notice);
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
    let restarting = false;
    transport.on('connectionstatechange', (state) => {
      if (state !== 'failed' || restarting || this.#closed) return;
      // ICE died (network change): new ICE credentials from the server keep the same transport.
      restarting = true;
      this.channel
        .request('restartIce', { transportId: transport.id })
        .then(({ iceParameters }) => transport.restartIce({ iceParameters: iceParameters as types.IceParameters }))
        .catch(() => undefined) // a dead socket is handled by reconnecting, not here
        .finally(() => (restarting = false));
    });
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

function transportOptions(wire: WireTransportOptions): types.TransportOptions {
  return {
    id: wire.id,
    iceParameters: wire.iceParameters as types.IceParameters,
    iceCandidates: wire.iceCandidates as types.IceCandidate[],
    dtlsParameters: wire.dtlsParameters as types.DtlsParameters,
    ...(wire.sctpParameters ? { sctpParameters: wire.sctpParameters as types.SctpParameters } : {}),
  };
}
