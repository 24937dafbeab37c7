import { TandemError } from '@tandem/protocol';
import { deriveSeed, seededRandom } from './random.js';
import { CLEAN, type Impairment, type PathCounters } from './types.js';

interface Item {
  size: number;
  send: () => void;
}

export interface PathOptions {
  seed: number;
  /** Direction name, mixed into the seed so up and down lose different packets. */
  name: string;
  /**
   * TCP: never drop. Loss is ignored, a full queue is reported through `congested`
   * (the caller pauses its reader) and an outage holds the bytes.
   */
  lossless?: boolean;
  /** Called when a lossless path's queue has room again. */
  onDrain?: () => void;
}

const MTU = 1500;
/** Lossless paths ask their reader to pause above this many queued bytes. */
const LOSSLESS_HIGH_WATER = 256 * 1024;

/**
 * One direction of an impaired link: outage → loss → token bucket with a bounded
 * queue → delay/jitter. Packets are opaque (a size and a send callback), so UDP and
 * TCP share it.
 */
export class ImpairedPath {
  readonly counters: PathCounters = {
    packetsIn: 0,
    packetsOut: 0,
    packetsDropped: 0,
    bytesIn: 0,
    bytesOut: 0,
    bytesDropped: 0,
    droppedByLoss: 0,
    droppedByQueue: 0,
    droppedByOutage: 0,
  };
  #impairment: Impairment = { ...CLEAN };
  readonly #lossless: boolean;
  readonly #onDrain: (() => void) | undefined;
  readonly #lossRandom: () => number;
  readonly #jitterRandom: () => number;
  // Bottleneck queue and token bucket.
  #queue: Item[] = [];
  #queuedBytes = 0;
  #tokens = MTU;
  #refilledAt = performance.now();
  #pumpTimer: NodeJS.Timeout | undefined;
  #congested = false;
  // Delay line, in delivery order when reordering is off.
  #line: { at: number; item: Item }[] = [];
  #lineTimer: NodeJS.Timeout | undefined;
  #lastDeliveryAt = 0;
  readonly #stray = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(options: PathOptions) {
    this.#lossless = options.lossless ?? false;
    this.#onDrain = options.onDrain;
    this.#lossRandom = seededRandom(deriveSeed(options.seed, `loss:${options.name}`));
    this.#jitterRandom = seededRandom(deriveSeed(options.seed, `jitter:${options.name}`));
  }

  get impairment(): Readonly<Impairment> {
    return this.#impairment;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** True while a lossless path holds more than its reader should add to. */
  get congested(): boolean {
    return this.#congested;
  }

  /** Merges the given fields into the current impairment. */
  set(change: Partial<Impairment>): void {
    const next = { ...this.#impairment, ...definedOnly(change) };
    validate(next);
    this.#refill(); // tokens earned at the old rate stay earned
    this.#impairment = next;
    this.#tokens = Math.min(this.#tokens, this.#burst());
    this.#pump();
  }

  /** Offers one packet; returns false if it was dropped. */
  offer(size: number, send: () => void): boolean {
    if (this.#closed) return false;
    const c = this.counters;
    c.packetsIn += 1;
    c.bytesIn += size;
    const { outage, loss } = this.#impairment;
    if (!this.#lossless) {
      if (outage) return this.#drop(size, 'droppedByOutage');
      // One draw per packet that reaches this point: the same seed, the same losses.
      if (loss > 0 && this.#lossRandom() < loss) return this.#drop(size, 'droppedByLoss');
      if (this.#impairment.rateKbps > 0 && this.#queuedBytes + size > this.#queueLimit()) return this.#drop(size, 'droppedByQueue');
    }
    this.#refill(); // credit earned while idle, capped, before this packet joins the queue
    this.#queue.push({ size, send });
    this.#queuedBytes += size;
    if (this.#lossless && this.#queuedBytes > LOSSLESS_HIGH_WATER) this.#congested = true;
    this.#pump();
    return true;
  }

  /** Drops everything in flight and stops all timers. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#pumpTimer);
    clearTimeout(this.#lineTimer);
    this.#stray.forEach(clearTimeout);
    this.#stray.clear();
    this.#queue = [];
    this.#line = [];
    this.#queuedBytes = 0;
  }

  #drop(size: number, reason: 'droppedByLoss' | 'droppedByQueue' | 'droppedByOutage'): false {
    this.counters.packetsDropped += 1;
    this.counters.bytesDropped += size;
    this.counters[reason] += 1;
    return false;
  }

  #burst(): number {
    return Math.max(this.#impairment.burstBytes || MTU, 1);
  }

  #queueLimit(): number {
    const { queueBytes, rateKbps } = this.#impairment;
    return queueBytes > 0 ? queueBytes : Math.max(3 * MTU, (rateKbps * 1000) / 8 / 4);
  }

  #refill(): void {
    const now = performance.now();
    const { rateKbps } = this.#impairment;
    if (rateKbps > 0) {
      this.#tokens += ((now - this.#refilledAt) * rateKbps) / 8;
      // An idle link saves up one burst at most; a backlogged one keeps what a late
      // timer owes it, so timer slack under load does not lower the rate.
      if (this.#queue.length === 0) this.#tokens = Math.min(this.#burst(), this.#tokens);
    }
    this.#refilledAt = now;
  }

  /** Moves packets from the queue through the bottleneck as tokens allow. */
  #pump(): void {
    if (this.#closed) return;
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    // A lossless outage holds bytes in the queue until the link is back.
    if (this.#lossless && this.#impairment.outage) {
      this.#refill();
      this.#tokens = Math.min(this.#burst(), this.#tokens); // no credit saved up across an outage
      return;
    }
    this.#refill();
    const { rateKbps } = this.#impairment;
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (rateKbps > 0) {
        // Tokens may go negative for a packet bigger than the burst: the rate still holds.
        const needed = Math.min(head.size, this.#burst());
        if (this.#tokens < needed) {
          const waitMs = ((needed - this.#tokens) * 8) / rateKbps;
          this.#pumpTimer = setTimeout(() => this.#pump(), Math.max(1, Math.ceil(waitMs)));
          break;
        }
        this.#tokens -= head.size;
      }
      this.#queue.shift();
      this.#queuedBytes -= head.size;
      this.#delay(head);
    }
    if (this.#congested && this.#queuedBytes <= LOSSLESS_HIGH_WATER / 2) {
      this.#congested = false;
      this.#onDrain?.();
    }
  }

  #delay(item: Item): void {
    const { delayMs, jitterMs } = this.#impairment;
    const reorder = this.#impairment.reorder && !this.#lossless;
    const jitter = jitterMs > 0 ? (this.#jitterRandom() * 2 - 1) * jitterMs : 0;
    const now = performance.now();
    let at = now + Math.max(0, delayMs + jitter);
    if (reorder) {
      if (at <= now) return this.#deliver(item);
      const timer = setTimeout(() => {
        this.#stray.delete(timer);
        this.#deliver(item);
      }, at - now);
      this.#stray.add(timer);
      return;
    }
    at = Math.max(at, this.#lastDeliveryAt);
    this.#lastDeliveryAt = at;
    if (at <= now && this.#line.length === 0) return this.#deliver(item);
    this.#line.push({ at, item });
    if (this.#line.length === 1) this.#armLine();
  }

  #armLine(): void {
    const head = this.#line[0];
    if (!head) return;
    this.#lineTimer = setTimeout(() => this.#flushLine(), Math.max(0, head.at - performance.now()));
  }

  #flushLine(): void {
    const now = performance.now();
    // Timers fire up to ~1 ms early or late; deliver everything that is due.
    while (this.#line.length > 0 && this.#line[0]!.at <= now + 1) this.#deliver(this.#line.shift()!.item);
    this.#armLine();
  }

  #deliver(item: Item): void {
    if (this.#closed) return;
    this.counters.packetsOut += 1;
    this.counters.bytesOut += item.size;
    try {
      item.send();
    } catch {
      // The socket went away meanwhile: the packet is lost, like on a real network.
    }
  }
}

function definedOnly(change: Partial<Impairment>): Partial<Impairment> {
  if (change === null || typeof change !== 'object') throw new TandemError('BAD_MESSAGE', 'impairment must be an object');
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as Partial<Impairment>;
}

function validate(i: Impairment): void {
  const nonNegative = ['delayMs', 'jitterMs', 'rateKbps', 'queueBytes', 'burstBytes'] as const;
  for (const key of nonNegative) {
    if (typeof i[key] !== 'number' || !Number.isFinite(i[key]) || i[key] < 0) throw new TandemError('BAD_MESSAGE', `${key} must be a number ≥ 0`);
  }
  if (typeof i.loss !== 'number' || !(i.loss >= 0 && i.loss <= 1)) throw new TandemError('BAD_MESSAGE', 'loss must be within 0..1');
  if (typeof i.outage !== 'boolean' || typeof i.reorder !== 'boolean') throw new TandemError('BAD_MESSAGE', 'outage and reorder are booleans');
  if (i.tcpOutage !== 'stall' && i.tcpOutage !== 'reset') throw new TandemError('BAD_MESSAGE', "tcpOutage is 'stall' or 'reset'");
}
