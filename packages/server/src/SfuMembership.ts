import type { Coordinator, SfuNodeHeartbeat, SfuNodeState } from '@tandem/cluster';
import type { SfuNodeStats } from '@tandem/protocol';
import type { Logger } from 'pino';

const HEARTBEAT_MS = 2_000;

export interface MembershipOptions {
  coordinator: Coordinator;
  /** The node's own figures (SfuNode.nodeStats). */
  stats: () => Promise<SfuNodeStats>;
  nodeId: string;
  controlUrl: string;
  maxConsumers: number;
  drainDeadlineMs: number;
  log: Logger;
  /** Draining is over (the node is empty, or the deadline passed): the owner closes the node and exits. */
  onDrained: (why: 'empty' | 'deadline') => void;
}

/**
 * An SFU node's membership in the cluster: its record refreshed every 2 s (liveness is
 * the record's age), its load for placement, and its lifecycle STARTING → SERVING ⇄
 * DRAINING → gone. Ops ask for a drain or a resume through the coordinator; the node
 * reads the request from its heartbeat reply. A heartbeat that fails (Redis away) is
 * logged and retried: the node keeps serving the calls it has.
 */
export class SfuMembership {
  #state: SfuNodeState = 'STARTING';
  #last: SfuNodeHeartbeat | undefined;
  #cpuBase: { cpuMs: number; bytes: number; at: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #drained = false;
  #final = false;
  #beating: Promise<void> | undefined;

  constructor(private readonly o: MembershipOptions) {}

  get state(): SfuNodeState {
    return this.#state;
  }

  /** The record as last sent (metrics show what placement sees). */
  get current(): SfuNodeHeartbeat | undefined {
    return this.#last;
  }

  /** Announces the node and starts serving. A restarted node starts SERVING, whatever was asked of its previous life. */
  async start(): Promise<void> {
    await this.o.coordinator.requestNodeState(this.o.nodeId, 'SERVING').catch(() => undefined);
    this.#state = 'SERVING';
    await this.beat().catch((error: unknown) => this.o.log.warn({ err: error }, 'first heartbeat failed; retrying'));
    this.#timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.#timer.unref();
  }

  /** Takes no new rooms from now on; signaling moves the calls; `onDrained` when empty or at the deadline. */
  drain(options: { final?: boolean } = {}): void {
    // A drain for shutdown (SIGTERM) is final: a stale "serve" request must not undo it.
    if (options.final) this.#final = true;
    if (this.#state === 'DRAINING' || this.#drained) return;
    this.#state = 'DRAINING';
    this.o.log.info({ deadlineMs: this.o.drainDeadlineMs }, 'draining');
    this.#deadline = setTimeout(() => this.#finish('deadline'), this.o.drainDeadlineMs);
    this.#deadline.unref();
    void this.beat().catch(() => undefined);
  }

  resume(): void {
    if (this.#state !== 'DRAINING' || this.#drained || this.#final) return;
    clearTimeout(this.#deadline);
    this.#state = 'SERVING';
    this.o.log.info('serving again');
    void this.beat().catch(() => undefined);
  }

  /** One heartbeat (also run on demand); overlapping calls share one. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#deadline);
    await this.o.coordinator.removeNode(this.o.nodeId).catch(() => undefined);
  }

  async #beat(): Promise<void> {
    const stats = await this.o.stats();
    const now = Date.now();
    const cpuMs = stats.workers.reduce((sum, w) => sum + w.cpuMs, 0);
    const base = this.#cpuBase;
    const elapsed = base ? Math.max(1, now - base.at) : 0;
    const cpu = base ? Math.min(1, Math.max(0, (cpuMs - base.cpuMs) / (elapsed * Math.max(1, stats.workers.length)))) : 0;
    const bitrateBps = base ? Math.max(0, ((stats.mediaBytes - base.bytes) * 8 * 1000) / elapsed) : 0;
    this.#cpuBase = { cpuMs, bytes: stats.mediaBytes, at: now };
    this.#last = {
      nodeId: this.o.nodeId,
      controlUrl: this.o.controlUrl,
      state: this.#state,
      maxConsumers: this.o.maxConsumers,
      load: { rooms: stats.rooms, peers: stats.peers, consumers: stats.consumers, cpu, bitrateBps: Math.round(bitrateBps) },
    };
    if (this.#state === 'DRAINING' && stats.rooms === 0) return this.#finish('empty');
    try {
      const reply = await this.o.coordinator.heartbeat(this.#last);
      if (reply.requestedState === 'DRAINING') this.drain();
      else if (reply.requestedState === 'SERVING') this.resume();
    } catch (error) {
      this.o.log.warn({ err: error }, 'heartbeat failed; the node keeps serving its calls');
    }
  }

  #finish(why: 'empty' | 'deadline'): void {
    if (this.#drained) return;
    this.#drained = true;
    clearTimeout(this.#deadline);
    this.o.log.info({ why }, 'drain finished');
    this.o.onDrained(why);
  }
}
