import os from 'node:os';
import {
  TandemError,
  TypedEmitter,
  type SfuEvents,
  type SfuMethod,
  type SfuNodeStats,
  type SfuRequests,
} from '@tandem/protocol';
import { ROUTER_CODECS } from './codecs.js';
import { NetworkProbes } from './NetworkProbes.js';
import { mediaCall, notFound, requireId, requireObject, toTandemError } from './mediaErrors.js';
import { Room, type RoomSettings } from './Room.js';
import type {
  PlainTransportInfo,
  PlainTransportRemote,
  PlainTransportRequest,
  PipeInfo,
  ProducerInfo,
  SfuLogger,
  SfuNodeApi,
  SfuNodeOptions,
} from './SfuNodeTypes.js';
import { useWorkerBin } from './workerBin.js';
import { WorkerPool, type WorkerSlot } from './WorkerPool.js';

type Handlers = { [M in SfuMethod]: (params: Record<string, unknown>) => Promise<SfuRequests[M]['result']> };

const silent: SfuLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** Starts the worker processes and returns a node ready to open rooms. */
export async function createSfuNode(options: SfuNodeOptions): Promise<SfuNode> {
  const nodeId = requireId(options?.nodeId, 'nodeId');
  const logger = options.logger ?? silent;
  const workerBin = useWorkerBin(options.workerBin);
  const pool = await WorkerPool.start({
    numWorkers: options.numWorkers ?? os.availableParallelism(),
    logLevel: options.logLevel ?? 'warn',
    rtcPort: options.rtcPort ?? 40000,
    logger,
    ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
    ...(options.listenIp ? { listenIp: options.listenIp } : {}),
  });
  logger.info({ nodeId, workerBin, workers: pool.slots.length }, 'SFU node started');
  const plainListenIp = options.plainListenIp ?? '127.0.0.1';
  const pipeAnnouncedAddress = options.pipeAnnouncedAddress ?? options.announcedAddress;
  return new SfuNode(nodeId, pool, logger, {
    maxIncomingBitrate: options.maxIncomingBitrate ?? 5_000_000,
    iceDisconnectGraceMs: options.iceDisconnectGraceMs ?? 5000,
    plainListenIp,
    pipeListenIp: options.pipeListenIp ?? plainListenIp,
    ...(pipeAnnouncedAddress ? { pipeAnnouncedAddress } : {}),
  });
}

/**
 * An SFU node: rooms on a pool of mediasoup workers, driven only through the
 * data-only SfuControl requests (plus a few in-process extras for RTP endpoints).
 * Every failure reaches the caller as a TandemError; none takes the node down.
 */
export class SfuNode extends TypedEmitter<SfuEvents> implements SfuNodeApi {
  readonly #pool: WorkerPool;
  readonly #logger: SfuLogger;
  readonly #settings: RoomSettings;
  readonly #rooms = new Map<string, Room>();
  /** Opens in flight, so two concurrent openRoom calls share one router. */
  readonly #opening = new Map<string, Promise<Room>>();
  /** Every router has the same codec list, so one answer serves every room. */
  #capabilities: Promise<unknown> | undefined;
  readonly #handlers: Handlers;
  readonly #probes: NetworkProbes;
  #closed = false;

  /** Use createSfuNode(). */
  constructor(
    readonly nodeId: string,
    pool: WorkerPool,
    logger: SfuLogger,
    settings: RoomSettings,
  ) {
    super();
    this.#pool = pool;
    this.#logger = logger;
    this.#settings = settings;
    this.#probes = new NetworkProbes(() => this.#pool.pick((s) => this.#loadOf(s)));
    this.#handlers = this.#makeHandlers();
    pool.on('workerDied', ({ pid }) => this.#logger.warn({ nodeId, pid }, 'rooms on the dead worker were dropped'));
    pool.on('exhausted', ({ reason }) => this.emit('nodeDown', { nodeId, reason }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async request<M extends SfuMethod>(method: M, params: SfuRequests[M]['params']): Promise<SfuRequests[M]['result']> {
    try {
      if (this.#closed) throw new TandemError('SHUTTING_DOWN', 'this media node is shutting down');
      if (typeof method !== 'string' || !Object.hasOwn(this.#handlers, method)) {
        throw new TandemError('UNKNOWN_METHOD', `unknown SFU method ${String(method)}`);
      }
      const handler = this.#handlers[method] as (p: Record<string, unknown>) => Promise<SfuRequests[M]['result']>;
      return await handler(requireObject(params ?? {}, 'params'));
    } catch (error) {
      throw toTandemError(error);
    }
  }

  async createPlainTransport(roomId: string, request: PlainTransportRequest): Promise<PlainTransportInfo> {
    return this.#guard(() => this.#room(roomId).createPlainTransport(request));
  }

  async connectPlainTransport(roomId: string, transportId: string, remote: PlainTransportRemote): Promise<void> {
    return this.#guard(() => this.#room(roomId).connectPlainTransport(transportId, remote));
  }

  async closePipe(roomId: string, remoteNodeId: string): Promise<void> {
    return this.#guard(() => this.#room(roomId).pipes.close(remoteNodeId));
  }

  async listPipes(roomId: string): Promise<PipeInfo[]> {
    return this.#guard(() => this.#room(roomId).pipes.list());
  }

  listProducers(roomId: string): ProducerInfo[] {
    return this.#room(roomId).listProducers();
  }

  async nodeStats(): Promise<SfuNodeStats> {
    const stats: SfuNodeStats = {
      nodeId: this.nodeId,
      rooms: this.#rooms.size,
      peers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
      workers: [],
      mediaBytes: 0,
    };
    const rooms = [...this.#rooms.values()];
    for (const room of rooms) {
      const counts = room.counts();
      stats.peers += room.peerIds().size;
      stats.transports += counts.transports;
      stats.producers += counts.producers;
      stats.consumers += counts.consumers;
    }
    const bytes = await Promise.all(rooms.map((room) => room.mediaBytes()));
    stats.mediaBytes = bytes.reduce((a, b) => a + b, 0);
    stats.workers = await Promise.all(
      this.#pool.slots.map(async ({ worker }) => {
        // A worker dying mid-call just reports no CPU time rather than failing the stats.
        const usage = await worker.getResourceUsage().catch(() => undefined);
        return { pid: worker.pid, cpuMs: usage ? usage.ru_utime + usage.ru_stime : 0 };
      }),
    );
    return stats;
  }

  workerPids(): number[] {
    return this.#pool.slots.map((slot) => slot.worker.pid);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of this.#rooms.values()) room.close();
    this.#rooms.clear();
    this.#probes.closeAll();
    this.emit('nodeDown', { nodeId: this.nodeId, reason: 'shutting down' });
    await this.#pool.close();
    this.#logger.info({ nodeId: this.nodeId }, 'SFU node closed');
  }

  #makeHandlers(): Handlers {
    return {
      routerCapabilities: async () => ({ routerRtpCapabilities: await this.#routerCapabilities() }),
      openRoom: async (p) => ({ routerRtpCapabilities: (await this.#openRoom(requireId(p['roomId'], 'roomId'))).rtpCapabilities }),
      closeRoom: async (p) => {
        const room = this.#room(p['roomId']);
        this.#rooms.delete(room.roomId);
        room.close();
        return {};
      },
      createTransport: (p) => this.#room(p['roomId']).createTransport(p['peerId'], p['direction']),
      connectTransport: async (p) => {
        await this.#room(p['roomId']).connectTransport(p['transportId'], p['dtlsParameters']);
        return {};
      },
      restartIce: (p) => this.#room(p['roomId']).restartIce(p['transportId']),
      produce: async (p) => ({
        producerId: await this.#room(p['roomId']).produce({
          peerId: p['peerId'],
          transportId: p['transportId'],
          kind: p['kind'],
          source: p['source'],
          rtpParameters: p['rtpParameters'],
        }),
      }),
      closeProducer: async (p) => (await this.#room(p['roomId']).closeProducer(p['producerId']), {}),
      pauseProducer: async (p) => (await this.#room(p['roomId']).pauseProducer(p['producerId']), {}),
      resumeProducer: async (p) => (await this.#room(p['roomId']).resumeProducer(p['producerId']), {}),
      consume: (p) =>
        this.#room(p['roomId']).consume({
          peerId: p['peerId'],
          transportId: p['transportId'],
          producerId: p['producerId'],
          rtpCapabilities: p['rtpCapabilities'],
        }),
      resumeConsumer: async (p) => (await this.#room(p['roomId']).resumeConsumer(p['consumerId']), {}),
      closePeer: async (p) => (this.#room(p['roomId']).closePeer(p['peerId']), {}),
      nodeStats: () => this.nodeStats(),
      openPipe: (p) => this.#room(p['roomId']).pipes.open(this.#remoteNode(p['remoteNodeId'])),
      connectPipe: async (p) => {
        await this.#room(p['roomId']).pipes.connect(this.#remoteNode(p['remoteNodeId']), p['ip'], p['port']);
        return {};
      },
      pipeOut: (p) => this.#room(p['roomId']).pipes.pipeOut(this.#remoteNode(p['remoteNodeId']), p['producerId']),
      pipeIn: async (p) => (await this.#room(p['roomId']).pipes.pipeIn(this.#remoteNode(p['remoteNodeId']), p), {}),
      openProbe: (p) => this.#probes.open(p['probeId'], p['legs']),
      connectProbe: async (p) => (await this.#probes.connect(p['probeId'], p['transportId'], p['dtlsParameters']), {}),
      echoProbe: (p) => this.#probes.echo(p['probeId'], p['transportId'], p['sctpStreamParameters'], p['label']),
      closeProbe: async (p) => (this.#probes.close(p['probeId']), {}),
    };
  }

  #remoteNode(remoteNodeId: unknown): string {
    const id = requireId(remoteNodeId, 'remoteNodeId');
    if (id === this.nodeId) throw new TandemError('BAD_PARAMS', 'a room cannot pipe to its own node');
    return id;
  }

  #routerCapabilities(): Promise<unknown> {
    const open = this.#rooms.values().next().value;
    if (open) return Promise.resolve(open.rtpCapabilities);
    if (!this.#capabilities) {
      // No room yet: a throwaway router on any worker tells us.
      const asking = mediaCall(async () => {
        const router = await this.#pool.pick(() => 0).worker.createRouter({ mediaCodecs: ROUTER_CODECS });
        router.close();
        return router.rtpCapabilities;
      });
      this.#capabilities = asking;
      asking.catch(() => {
        if (this.#capabilities === asking) this.#capabilities = undefined;
      });
    }
    return this.#capabilities;
  }

  async #openRoom(roomId: string): Promise<Room> {
    const existing = this.#rooms.get(roomId) ?? this.#opening.get(roomId);
    if (existing) return existing;
    const slot = this.#pool.pick((s) => this.#loadOf(s));
    const opening = Room.open(roomId, slot, this.#settings);
    this.#opening.set(roomId, opening);
    try {
      const room = await opening;
      if (this.#closed) {
        room.close();
        throw new TandemError('SHUTTING_DOWN', 'this media node is shutting down');
      }
      // Its worker may have died while the router was being created.
      if (room.closed) throw new TandemError('MEDIA_ERROR', 'media worker died while opening the room');
      this.#adopt(room);
      return room;
    } finally {
      this.#opening.delete(roomId);
    }
  }

  #adopt(room: Room): void {
    this.#rooms.set(room.roomId, room);
    room.on('consumerClosed', (e) => this.emit('consumerClosed', e));
    room.on('producerClosed', (e) => this.emit('producerClosed', e));
    room.on('transportFailed', (e) => this.emit('transportFailed', e));
    room.on('gone', () => {
      if (this.#rooms.get(room.roomId) === room) this.#rooms.delete(room.roomId);
      this.#logger.warn({ nodeId: this.nodeId, roomId: room.roomId }, 'room lost with its media worker');
    });
    this.#logger.debug({ nodeId: this.nodeId, roomId: room.roomId, pid: room.slot.worker.pid }, 'room opened');
  }

  #loadOf(slot: WorkerSlot): number {
    let load = 0;
    for (const room of this.#rooms.values()) if (room.slot === slot) load += room.load;
    return load;
  }

  #room(roomId: unknown): Room {
    const room = this.#rooms.get(requireId(roomId, 'roomId'));
    if (!room) throw notFound('room', roomId);
    return room;
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      if (this.#closed) throw new TandemError('SHUTTING_DOWN', 'this media node is shutting down');
      return await call();
    } catch (error) {
      throw toTandemError(error);
    }
  }
}
