import type { types } from 'mediasoup';
import {
  TandemError,
  TypedEmitter,
  type ConsumerOptions,
  type SfuEvents,
  type TransportDirection,
  type TransportOptions,
} from '@tandem/protocol';
import { ROUTER_CODECS, consumerPriority } from './codecs.js';
import { KINDS, SOURCES, mediaCall, notFound, requireId, requireMatchingKind, requireObject, requireOneOf } from './mediaErrors.js';
import type {
  MediaAppData,
  PlainTransportInfo,
  PlainTransportRemote,
  PlainTransportRequest,
  ProducerInfo,
  TransportRole,
} from './SfuNodeTypes.js';
import { connectPlain, openPlainTransport } from './plainTransport.js';
import { RoomPipes, type PipeSettings } from './RoomPipes.js';
import { watchTransport } from './transportWatch.js';
import { openWebRtcTransport, webRtcMediaBytes } from './webRtcTransport.js';
import type { WorkerSlot } from './WorkerPool.js';

export type RoomEvents = Pick<SfuEvents, 'consumerClosed' | 'producerClosed' | 'transportFailed'> & {
  /** The room's worker died: the router and everything in it are gone. */
  gone: [];
};

export interface RoomSettings extends PipeSettings {
  maxIncomingBitrate: number;
  iceDisconnectGraceMs: number;
  plainListenIp: string;
}

interface TransportEntry {
  transport: types.WebRtcTransport | types.PlainTransport;
  peerId: string;
  role: TransportRole;
}

/**
 * One call's media: a router on one worker, and the transports, producers and
 * consumers of the peers in it. It enforces ownership (a peer uses only its own
 * transports) and reports what closed under the peers' feet, but stays quiet about
 * what the caller closed itself.
 */
export class Room extends TypedEmitter<RoomEvents> {
  readonly #router: types.Router;
  readonly #settings: RoomSettings;
  readonly #transports = new Map<string, TransportEntry>();
  readonly #producers = new Map<string, types.Producer<MediaAppData>>();
  readonly #consumers = new Map<string, types.Consumer<MediaAppData>>();
  /** Peers being closed on request: their own objects close without events. */
  readonly #closingPeers = new Set<string>();
  #closing = false;
  /** Links to the other nodes this call spans. */
  readonly pipes: RoomPipes;

  private constructor(
    readonly roomId: string,
    readonly slot: WorkerSlot,
    router: types.Router,
    settings: RoomSettings,
  ) {
    super();
    this.#router = router;
    this.#settings = settings;
    router.once('workerclose', () => this.emit('gone'));
    this.pipes = new RoomPipes(
      {
        router,
        producer: (id) => this.#producer(id),
        hasProducer: (id) => this.#producers.has(id),
        adoptPiped: (producer) => this.#adoptProducer(producer),
      },
      settings,
    );
  }

  static async open(roomId: string, slot: WorkerSlot, settings: RoomSettings): Promise<Room> {
    const router = await mediaCall(() => slot.worker.createRouter({ mediaCodecs: ROUTER_CODECS, appData: { roomId } }));
    return new Room(roomId, slot, router, settings);
  }

  get closed(): boolean {
    return this.#router.closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** Placement weight: an empty room still costs a router, each transport a peer side. */
  get load(): number {
    return 1 + this.#transports.size;
  }

  counts(): { transports: number; producers: number; consumers: number } {
    return { transports: this.#transports.size, producers: this.#producers.size, consumers: this.#consumers.size };
  }

  /** Distinct peers with a WebRTC transport here (plain RTP endpoints are not people). */
  peerIds(): Set<string> {
    const peers = new Set<string>();
    for (const entry of this.#transports.values()) if (entry.role !== 'plain') peers.add(entry.peerId);
    return peers;
  }

  /** Bytes in plus out over the WebRTC transports since they opened. */
  mediaBytes(): Promise<number> {
    return webRtcMediaBytes([...this.#transports.values()].map((entry) => entry.transport));
  }

  listProducers(): ProducerInfo[] {
    return [...this.#producers.values()].map((p) => ({
      producerId: p.id,
      peerId: p.appData.peerId,
      kind: p.kind,
      source: p.appData.source,
      paused: p.paused,
    }));
  }

  async createTransport(peerIdIn: unknown, directionIn: unknown): Promise<TransportOptions> {
    const peerId = requireId(peerIdIn, 'peerId');
    const direction = requireOneOf<TransportDirection>(directionIn, ['send', 'recv'], 'direction');
    const { maxIncomingBitrate } = this.#settings;
    const { transport, options } = await openWebRtcTransport(this.#router, this.slot.webRtcServer, maxIncomingBitrate, peerId, direction);
    this.#track(transport, peerId, direction);
    watchTransport(transport, this.#settings.iceDisconnectGraceMs, (state) => {
      if (!this.#quiet(peerId)) this.emit('transportFailed', { roomId: this.roomId, peerId, transportId: transport.id, state });
    });
    return options;
  }

  async createPlainTransport(request: PlainTransportRequest): Promise<PlainTransportInfo> {
    const { transport, peerId, info } = await openPlainTransport(this.#router, this.#settings.plainListenIp, request);
    this.#track(transport, peerId, 'plain');
    return info;
  }

  async connectTransport(transportId: unknown, dtlsParameters: unknown): Promise<void> {
    const transport = this.#webRtcTransport(transportId);
    const dtls = requireObject(dtlsParameters, 'dtlsParameters') as unknown as types.DtlsParameters;
    await mediaCall(() => transport.connect({ dtlsParameters: dtls }));
  }

  async connectPlainTransport(transportId: unknown, remote: PlainTransportRemote): Promise<void> {
    const { transport } = this.#transport(transportId);
    if (transport.type !== 'plain') throw new TandemError('BAD_PARAMS', 'not a plain transport');
    await connectPlain(transport, remote);
  }

  async restartIce(transportId: unknown): Promise<{ iceParameters: unknown }> {
    const transport = this.#webRtcTransport(transportId);
    return { iceParameters: await mediaCall(() => transport.restartIce()) };
  }

  async produce(params: {
    peerId: unknown;
    transportId: unknown;
    kind: unknown;
    source: unknown;
    rtpParameters: unknown;
  }): Promise<string> {
    const kind = requireOneOf(params.kind, KINDS, 'kind');
    const source = requireOneOf(params.source, SOURCES, 'source');
    requireMatchingKind(kind, source);
    const entry = this.#ownTransport(params.transportId, params.peerId, 'send');
    const rtpParameters = requireObject(params.rtpParameters, 'rtpParameters') as unknown as types.RtpParameters;
    const peerId = entry.peerId;
    const producer = await mediaCall(() =>
      entry.transport.produce<MediaAppData>({ kind, rtpParameters, appData: { peerId, source } }),
    );
    this.#adoptProducer(producer);
    return producer.id;
  }

  async closeProducer(producerId: unknown): Promise<void> {
    this.#producer(producerId).close();
  }

  async pauseProducer(producerId: unknown): Promise<void> {
    const producer = this.#producer(producerId);
    await mediaCall(() => producer.pause());
  }

  async resumeProducer(producerId: unknown): Promise<void> {
    const producer = this.#producer(producerId);
    await mediaCall(() => producer.resume());
  }

  async consume(params: {
    peerId: unknown;
    transportId: unknown;
    producerId: unknown;
    rtpCapabilities: unknown;
  }): Promise<ConsumerOptions> {
    const entry = this.#ownTransport(params.transportId, params.peerId, 'recv');
    const producer = this.#producer(params.producerId);
    const rtpCapabilities = requireObject(params.rtpCapabilities, 'rtpCapabilities') as unknown as types.RtpCapabilities;
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw new TandemError('BAD_PARAMS', `these rtpCapabilities cannot receive producer ${producer.id}`);
    }
    const peerId = entry.peerId;
    const source = producer.appData.source;
    const consumer = await mediaCall(() =>
      entry.transport.consume<MediaAppData>({ producerId: producer.id, rtpCapabilities, paused: true, appData: { peerId, source } }),
    );
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    const closedUnder = (): void => {
      if (this.#quiet(peerId)) return;
      this.emit('consumerClosed', { roomId: this.roomId, peerId, consumerId: consumer.id, producerId: producer.id });
    };
    consumer.on('producerclose', closedUnder);
    consumer.on('transportclose', closedUnder);
    await mediaCall(() => consumer.setPriority(consumerPriority(source))).catch((error) => {
      consumer.close();
      throw error;
    });
    return { id: consumer.id, producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(consumerId: unknown): Promise<void> {
    const consumer = this.#consumers.get(requireId(consumerId, 'consumerId'));
    if (!consumer) throw notFound('consumer', consumerId);
    await mediaCall(() => consumer.resume());
  }

  /** Closes the peer's transports (and so its producers and consumers) without events for it. */
  closePeer(peerIdIn: unknown): void {
    const peerId = requireId(peerIdIn, 'peerId');
    this.#closingPeers.add(peerId);
    try {
      for (const entry of [...this.#transports.values()]) if (entry.peerId === peerId) entry.transport.close();
    } finally {
      this.#closingPeers.delete(peerId);
    }
  }

  close(): void {
    this.#closing = true;
    this.#router.close();
  }

  /** Local and piped-in producers alike: consumable, and reported when their transport closes. */
  #adoptProducer(producer: types.Producer<MediaAppData>): void {
    const { peerId } = producer.appData;
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    producer.on('transportclose', () => {
      if (!this.#quiet(peerId)) this.emit('producerClosed', { roomId: this.roomId, peerId, producerId: producer.id });
    });
  }

  #track(transport: TransportEntry['transport'], peerId: string, role: TransportRole): void {
    this.#transports.set(transport.id, { transport, peerId, role });
    const base: types.Transport = transport;
    base.observer.once('close', () => this.#transports.delete(transport.id));
    base.on('routerclose', () => {
      // Only a dying worker closes our router without close() being called.
      if (this.#closing || this.#closingPeers.has(peerId)) return;
      this.emit('transportFailed', { roomId: this.roomId, peerId, transportId: transport.id, state: 'worker-died' });
    });
  }

  /** No events while the room goes away or for a peer the caller is closing. */
  #quiet(peerId: string): boolean {
    return this.#closing || this.#router.closed || this.#closingPeers.has(peerId);
  }

  #transport(transportId: unknown): TransportEntry {
    const entry = this.#transports.get(requireId(transportId, 'transportId'));
    if (!entry) throw notFound('transport', transportId);
    return entry;
  }

  #webRtcTransport(transportId: unknown): types.WebRtcTransport {
    const { transport } = this.#transport(transportId);
    if (transport.type !== 'webrtc') throw new TandemError('BAD_PARAMS', 'not a WebRTC transport');
    return transport;
  }

  #ownTransport(transportId: unknown, peerIdIn: unknown, role: 'send' | 'recv'): TransportEntry {
    const peerId = requireId(peerIdIn, 'peerId');
    const entry = this.#transport(transportId);
    if (entry.peerId !== peerId) throw new TandemError('FORBIDDEN', 'transport belongs to another peer');
    if (entry.role !== role && entry.role !== 'plain') {
      throw new TandemError('BAD_PARAMS', `transport is a ${entry.role} transport, ${role} needed`);
    }
    return entry;
  }

  #producer(producerId: unknown): types.Producer<MediaAppData> {
    const producer = this.#producers.get(requireId(producerId, 'producerId'));
    if (!producer) throw notFound('producer', producerId);
    return producer;
  }
}
