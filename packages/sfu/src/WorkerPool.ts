import os from 'node:os';
import { createWorker, type types } from 'mediasoup';
import { TandemError, TypedEmitter } from '@tandem/protocol';
import { planListenInfos } from './listenInfos.js';
import type { SfuLogLevel, SfuLogger } from './SfuNodeTypes.js';

/** One worker process and its WebRtcServer; slot i always listens on port base+i. */
export interface WorkerSlot {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
}

export interface WorkerPoolOptions {
  numWorkers: number;
  logLevel: SfuLogLevel;
  rtcPort: number;
  announcedAddress?: string;
  listenIp?: string;
  logger: SfuLogger;
}

export type WorkerPoolEvents = {
  /** Fired after mediasoup closed the worker's routers; their rooms are gone. */
  workerDied: [{ index: number; pid: number; error: Error }];
  workerReplaced: [WorkerSlot];
  /** No live worker and none could be started: the node cannot serve. */
  exhausted: [{ reason: string }];
};

const REPLACE_ATTEMPTS = 3;
const REPLACE_BACKOFF_MS = 500;
const CLOSE_TIMEOUT_MS = 5000;

/** The node's worker processes: started together, replaced one by one when they die. */
export class WorkerPool extends TypedEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #slots = new Map<number, WorkerSlot>();
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const indexes = Array.from({ length: Math.max(1, options.numWorkers) }, (_, i) => i);
    const started = await Promise.allSettled(indexes.map((i) => pool.#startSlot(i)));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await pool.close();
      throw new TandemError('INTERNAL', `media workers failed to start: ${errorText(failure.reason)}`);
    }
    return pool;
  }

  get slots(): WorkerSlot[] {
    return [...this.#slots.values()];
  }

  /** The live slot with the lowest load; NO_CAPACITY if every worker is down. */
  pick(loadOf: (slot: WorkerSlot) => number): WorkerSlot {
    let best: { slot: WorkerSlot; load: number } | undefined;
    for (const slot of this.#slots.values()) {
      const load = loadOf(slot);
      if (!best || load < best.load) best = { slot, load };
    }
    if (!best) throw new TandemError('NO_CAPACITY', 'no media worker is running');
    return best.slot;
  }

  /** Closes every worker; resolves once their processes have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    await Promise.all(slots.map((slot) => closeWorker(slot.worker)));
  }

  async #startSlot(index: number): Promise<WorkerSlot> {
    const { logLevel, rtcPort, announcedAddress, listenIp, logger } = this.#options;
    const worker = await createWorker({ logLevel });
    try {
      const listenInfos = planListenInfos({
        port: rtcPort > 0 ? rtcPort + index : 0,
        interfaces: os.networkInterfaces(),
        ...(announcedAddress ? { announcedAddress } : {}),
        ...(listenIp ? { listenIp } : {}),
      });
      const webRtcServer = await worker.createWebRtcServer({ listenInfos });
      const slot: WorkerSlot = { index, worker, webRtcServer };
      if (this.#closed) throw new TandemError('SHUTTING_DOWN', 'node closed while a worker was starting');
      worker.once('died', (error) => this.#onDied(slot, error));
      this.#slots.set(index, slot);
      logger.info({ pid: worker.pid, index, listenInfos }, 'media worker started');
      return slot;
    } catch (error) {
      await closeWorker(worker);
      throw error;
    }
  }

  #onDied(slot: WorkerSlot, error: Error): void {
    const { logger } = this.#options;
    if (this.#slots.get(slot.index) !== slot) return;
    this.#slots.delete(slot.index);
    logger.error({ pid: slot.worker.pid, index: slot.index, err: error.message }, 'media worker died; replacing it');
    this.emit('workerDied', { index: slot.index, pid: slot.worker.pid, error });
    void this.#replace(slot.index);
  }

  async #replace(index: number): Promise<void> {
    for (let attempt = 1; attempt <= REPLACE_ATTEMPTS && !this.#closed; attempt++) {
      try {
        const slot = await this.#startSlot(index);
        this.emit('workerReplaced', slot);
        return;
      } catch (error) {
        this.#options.logger.warn({ index, attempt, err: errorText(error) }, 'replacement media worker failed');
        await new Promise((resolve) => setTimeout(resolve, REPLACE_BACKOFF_MS * attempt));
      }
    }
    if (!this.#closed && this.#slots.size === 0) {
      this.emit('exhausted', { reason: 'every media worker died and none could be restarted' });
    }
  }
}

function closeWorker(worker: types.Worker): Promise<void> {
  if (worker.subprocessClosed) return Promise.resolve();
  return new Promise((resolve) => {
    // A worker that ignores the close request must not hang shutdown forever.
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    worker.once('subprocessclose', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.close();
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
