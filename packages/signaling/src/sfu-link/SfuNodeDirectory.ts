import type { Coordinator, SfuNodeRecord } from '@tandem/cluster';
import { pickNode } from '@tandem/cluster';
import { TandemError, TypedEmitter, type SfuControl, type SfuEvents } from '@tandem/protocol';
import type { FastifyBaseLogger as Logger } from 'fastify';

/** A control link to a node in another process: an SfuControl that can be closed. */
export interface SfuLink extends SfuControl {
  close(): Promise<void> | void;
}

/** Opens the control connection to a node from its record (RemoteSfuNode in production). */
export type SfuConnector = (record: SfuNodeRecord) => Promise<SfuLink>;

export type SfuNodeDirectoryEvents = {
  /** The node's control connection dropped or it said it is going down: move its calls now. */
  nodeLost: [nodeId: string];
  /** The node turned DRAINING: move its calls. */
  nodeDraining: [nodeId: string];
  consumerClosed: SfuEvents['consumerClosed'];
  producerClosed: SfuEvents['producerClosed'];
};

const REFRESH_MS = 2_000;

/** Draining by its own word, or asked to by ops (it will say so at its next heartbeat): move its calls now. */
const draining = (r: SfuNodeRecord): boolean => r.state === 'DRAINING' || r.requestedState === 'DRAINING';

/**
 * The SFU nodes this signaling process can drive: the in-process node (if any) plus a
 * control connection to every live node in the registry. It turns the registry's
 * slow truth (records refreshed every 2 s) and the connections' fast one (a socket
 * that closes when a node dies) into `nodeLost` / `nodeDraining` for the calls.
 * While Redis is away the last known list stays in use: calls in progress keep going.
 */
export class SfuNodeDirectory extends TypedEmitter<SfuNodeDirectoryEvents> {
  readonly #links = new Map<string, { link: SfuControl; close: () => Promise<void> | void }>();
  readonly #connecting = new Map<string, Promise<void>>();
  /** Nodes reached over a control connection (the others run in this process). */
  readonly #remote = new Set<string>();
  #records: SfuNodeRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly connect: SfuConnector | undefined,
    private readonly log: Logger,
    local: SfuControl[] = [],
  ) {
    super();
    for (const node of local) this.#adopt(node.nodeId, node, () => undefined);
  }

  /** Loads the registry once, then keeps following it. */
  async start(): Promise<void> {
    await this.refresh().catch((error: unknown) => this.log.warn({ err: error }, 'node registry not readable yet'));
    this.#timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.log.debug({ err: error }, 'node registry refresh failed'));
    }, REFRESH_MS);
    this.#timer.unref();
  }

  /** The node's control link, or NODE_UNAVAILABLE. */
  get(nodeId: string): SfuControl {
    const entry = this.#links.get(nodeId);
    if (!entry) throw new TandemError('NODE_UNAVAILABLE', 'the media node for this call is not reachable');
    return entry.link;
  }

  has(nodeId: string): boolean {
    return this.#links.has(nodeId);
  }

  /** Known, but its control connection is down right now (the node died or is unreachable). */
  isDown(nodeId: string): boolean {
    const link = this.#links.get(nodeId)?.link as { connected?: boolean } | undefined;
    return link?.connected === false;
  }

  /**
   * Makes sure we hold a control connection to a registered node (a node that joined
   * since our last registry read is dialled now, not at the next refresh).
   */
  async ensure(nodeId: string): Promise<SfuControl> {
    if (!this.#links.has(nodeId)) {
      let record = this.#records.find((r) => r.nodeId === nodeId);
      if (!record) {
        await this.refresh().catch(() => undefined);
        record = this.#records.find((r) => r.nodeId === nodeId);
      }
      if (record && record.controlUrl !== 'local') await this.#dial(record);
    }
    return this.get(nodeId);
  }

  /** Any reachable node (router capabilities are the same on every node). */
  any(): SfuControl {
    const first = this.#links.values().next();
    if (first.done) throw new TandemError('NO_CAPACITY', 'no media node reachable');
    return first.value.link;
  }

  /** The registry as last read. */
  get records(): readonly SfuNodeRecord[] {
    return this.#records;
  }

  isDraining(nodeId: string): boolean {
    return this.#records.some((r) => r.nodeId === nodeId && draining(r));
  }

  /** A SERVING reachable node other than `exceptNodeId`, least loaded first (cross-node media). */
  pickOther(exceptNodeId: string): string | undefined {
    // A node whose control socket just dropped still has a live-looking record for a few seconds: skip it.
    const candidates = this.#records.filter((r) => r.nodeId !== exceptNodeId && this.#links.has(r.nodeId) && !this.isDown(r.nodeId));
    return pickNode(candidates, Date.now())?.nodeId;
  }

  async refresh(): Promise<void> {
    const records = await this.coordinator.listNodes();
    const wasDraining = new Set(this.#records.filter(draining).map((r) => r.nodeId));
    this.#records = records;
    for (const record of records) {
      if (draining(record) && !wasDraining.has(record.nodeId)) this.emit('nodeDraining', record.nodeId);
      if (!this.#links.has(record.nodeId) && record.controlUrl !== 'local') void this.#dial(record);
    }
    // A remote node whose record aged out is gone for good: stop redialling it.
    const live = new Set(records.map((r) => r.nodeId));
    for (const [nodeId, entry] of this.#links) {
      if (!live.has(nodeId) && this.#isRemote(nodeId)) {
        this.#links.delete(nodeId);
        await entry.close();
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#links.values()].map((entry) => entry.close()));
    this.#links.clear();
  }

  #isRemote(nodeId: string): boolean {
    return this.#remote.has(nodeId);
  }

  #dial(record: SfuNodeRecord): Promise<void> {
    if (!this.connect || this.#closed) return Promise.resolve();
    const connect = this.connect;
    let pending = this.#connecting.get(record.nodeId);
    if (!pending) {
      pending = (async () => {
        try {
          const link = await connect(record);
          if (this.#closed) return void (await link.close());
          this.#remote.add(record.nodeId);
          this.#adopt(record.nodeId, link, () => link.close());
          this.log.info({ sfuNodeId: record.nodeId }, 'control connection to SFU node open');
        } catch (error) {
          this.log.warn({ err: error, sfuNodeId: record.nodeId }, 'cannot reach SFU node');
        } finally {
          this.#connecting.delete(record.nodeId);
        }
      })();
      this.#connecting.set(record.nodeId, pending);
    }
    return pending;
  }

  #adopt(nodeId: string, link: SfuControl, close: () => Promise<void> | void): void {
    link.on('nodeDown', ({ reason }) => {
      this.log.warn({ sfuNodeId: nodeId, reason }, 'SFU node lost');
      this.emit('nodeLost', nodeId);
    });
    link.on('consumerClosed', (e) => this.emit('consumerClosed', e));
    link.on('producerClosed', (e) => this.emit('producerClosed', e));
    this.#links.set(nodeId, { link, close });
  }
}
