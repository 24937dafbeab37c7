import type { types } from 'mediasoup';
import { TandemError, type PipeEndpoint, type PipedProducer } from '@tandem/protocol';
import { KINDS, SOURCES, mediaCall, notFound, requireId, requireMatchingKind, requireObject, requireOneOf } from './mediaErrors.js';
import type { MediaAppData, PipeInfo } from './SfuNodeTypes.js';

export interface PipeSettings {
  pipeListenIp: string;
  pipeAnnouncedAddress?: string;
}

/** What the pipes need from their room: its router and its producer table. */
export interface PipeHost {
  readonly router: types.Router;
  /** A producer of the room (local or piped in); NOT_FOUND otherwise. */
  producer(producerId: unknown): types.Producer<MediaAppData>;
  hasProducer(producerId: string): boolean;
  /** Makes a piped-in producer one of the room's producers. */
  adoptPiped(producer: types.Producer<MediaAppData>): void;
}

/** One pipe transport towards one other node, and what crosses it. */
interface Pipe {
  readonly transport: types.PipeTransport;
  remote?: { ip: string; port: number; connecting: Promise<void> };
  /** Pipe consumers by producer id, kept while in flight so a duplicate shares it. */
  readonly out: Map<string, Promise<PipedProducer>>;
  readonly pipedIn: Set<string>;
}

/**
 * A room's pipes to other SFU nodes: one PipeTransport per remote node. Every call
 * is idempotent, and concurrent duplicates share one in-flight promise, because two
 * signaling processes may wire the same producer at the same moment.
 */
export class RoomPipes {
  readonly #host: PipeHost;
  readonly #settings: PipeSettings;
  readonly #pipes = new Map<string, Promise<Pipe>>();
  readonly #pipingIn = new Map<string, Promise<void>>();

  constructor(host: PipeHost, settings: PipeSettings) {
    this.#host = host;
    this.#settings = settings;
  }

  async open(remoteNodeIdIn: unknown): Promise<PipeEndpoint> {
    const remoteNodeId = requireId(remoteNodeIdIn, 'remoteNodeId');
    let pipe = this.#pipes.get(remoteNodeId);
    if (!pipe) {
      pipe = this.#create(remoteNodeId);
      this.#pipes.set(remoteNodeId, pipe);
      pipe.catch(() => this.#pipes.delete(remoteNodeId));
    }
    return endpointOf((await pipe).transport);
  }

  async connect(remoteNodeIdIn: unknown, ipIn: unknown, portIn: unknown): Promise<void> {
    const pipe = await this.#pipe(remoteNodeIdIn);
    const ip = requireId(ipIn, 'ip');
    if (!Number.isInteger(portIn) || (portIn as number) < 1 || (portIn as number) > 65535) {
      throw new TandemError('BAD_PARAMS', 'port must be an integer in 1..65535');
    }
    const port = portIn as number;
    if (pipe.remote) {
      if (pipe.remote.ip !== ip || pipe.remote.port !== port) {
        throw new TandemError('BAD_STATE', `pipe already points at ${pipe.remote.ip}:${pipe.remote.port}`);
      }
      return pipe.remote.connecting;
    }
    const connecting = mediaCall(() => pipe.transport.connect({ ip, port }));
    const remote = { ip, port, connecting };
    pipe.remote = remote;
    // A failed connect may be retried, with any address.
    connecting.catch(() => {
      if (pipe.remote === remote) delete pipe.remote;
    });
    return connecting;
  }

  async pipeOut(remoteNodeIdIn: unknown, producerIdIn: unknown): Promise<PipedProducer> {
    const pipe = await this.#pipe(remoteNodeIdIn);
    const producer = this.#host.producer(producerIdIn);
    let piped = pipe.out.get(producer.id);
    if (!piped) {
      const forget = (): void => {
        if (pipe.out.get(producer.id) === piped) pipe.out.delete(producer.id);
      };
      piped = consumeInto(pipe.transport, producer, (consumer) => consumer.observer.once('close', forget));
      pipe.out.set(producer.id, piped);
      piped.catch(forget);
      // The worker closes the pipe consumer a moment later; the producer is gone now.
      producer.observer.once('close', forget);
    }
    return piped;
  }

  async pipeIn(remoteNodeIdIn: unknown, params: Record<string, unknown>): Promise<void> {
    const pipe = await this.#pipe(remoteNodeIdIn);
    const wanted = readPipedProducer(params);
    if (this.#host.hasProducer(wanted.producerId)) return;
    const inFlight = this.#pipingIn.get(wanted.producerId);
    if (inFlight) return inFlight;
    const piping = this.#produceFrom(pipe, wanted);
    this.#pipingIn.set(wanted.producerId, piping);
    try {
      await piping;
    } finally {
      this.#pipingIn.delete(wanted.producerId);
    }
  }

  /** Closes the pipe towards a node (it died or left): its piped-in producers close with it. */
  async close(remoteNodeIdIn: unknown): Promise<void> {
    (await this.#pipe(remoteNodeIdIn)).transport.close();
  }

  async list(): Promise<PipeInfo[]> {
    const settled = await Promise.allSettled([...this.#pipes.entries()].map(async ([remoteNodeId, p]) => ({ remoteNodeId, pipe: await p })));
    const infos: PipeInfo[] = [];
    for (const result of settled) {
      if (result.status !== 'fulfilled') continue;
      const { remoteNodeId, pipe } = result.value;
      infos.push({
        remoteNodeId,
        ...endpointOf(pipe.transport),
        ...(pipe.remote ? { remote: { ip: pipe.remote.ip, port: pipe.remote.port } } : {}),
        pipedOut: [...pipe.out.keys()].sort(),
        pipedIn: [...pipe.pipedIn].sort(),
      });
    }
    return infos;
  }

  async #create(remoteNodeId: string): Promise<Pipe> {
    const { pipeListenIp, pipeAnnouncedAddress } = this.#settings;
    const transport = await mediaCall(() =>
      this.#host.router.createPipeTransport({
        listenInfo: { protocol: 'udp', ip: pipeListenIp, ...(pipeAnnouncedAddress ? { announcedAddress: pipeAnnouncedAddress } : {}) },
        appData: { remoteNodeId },
      }),
    );
    const pipe: Pipe = { transport, out: new Map(), pipedIn: new Set() };
    transport.observer.once('close', () => this.#pipes.delete(remoteNodeId));
    return pipe;
  }

  async #pipe(remoteNodeIdIn: unknown): Promise<Pipe> {
    const remoteNodeId = requireId(remoteNodeIdIn, 'remoteNodeId');
    const pipe = this.#pipes.get(remoteNodeId);
    if (!pipe) throw notFound('pipe to node', remoteNodeId);
    return pipe;
  }

  async #produceFrom(pipe: Pipe, wanted: PipedProducer): Promise<void> {
    const { producerId, peerId, kind, source, paused } = wanted;
    const producer = await mediaCall(() =>
      pipe.transport.produce<MediaAppData>({
        id: producerId,
        kind,
        rtpParameters: wanted.rtpParameters as types.RtpParameters,
        paused,
        appData: { peerId, source },
      }),
    );
    pipe.pipedIn.add(producer.id);
    producer.observer.once('close', () => pipe.pipedIn.delete(producer.id));
    this.#host.adoptPiped(producer);
  }
}

async function consumeInto(
  transport: types.PipeTransport,
  producer: types.Producer<MediaAppData>,
  track: (consumer: types.Consumer) => void,
): Promise<PipedProducer> {
  const consumer = await mediaCall(() => transport.consume({ producerId: producer.id }));
  track(consumer);
  return {
    producerId: producer.id,
    peerId: producer.appData.peerId,
    kind: consumer.kind,
    source: producer.appData.source,
    rtpParameters: consumer.rtpParameters,
    paused: consumer.producerPaused,
  };
}

function endpointOf(transport: types.PipeTransport): PipeEndpoint {
  const { tuple } = transport;
  return { transportId: transport.id, ip: tuple.localAddress ?? tuple.localIp, port: tuple.localPort };
}

/** Checks a PipedProducer from the wire; the far node re-creates it under the same id. */
export function readPipedProducer(params: Record<string, unknown>): PipedProducer {
  const kind = requireOneOf(params['kind'], KINDS, 'kind');
  const source = requireOneOf(params['source'], SOURCES, 'source');
  requireMatchingKind(kind, source);
  if (typeof params['paused'] !== 'boolean') throw new TandemError('BAD_PARAMS', 'paused must be a boolean');
  return {
    producerId: requireId(params['producerId'], 'producerId'),
    peerId: requireId(params['peerId'], 'peerId'),
    kind,
    source,
    rtpParameters: requireObject(params['rtpParameters'], 'rtpParameters'),
    paused: params['paused'],
  };
}
