import { TandemError } from '@tandem/protocol';

interface Pending {
  method: string;
  resolve(data: unknown): void;
  reject(error: TandemError): void;
  timer: NodeJS.Timeout;
}

/** Requests sent on the control connection and not yet answered, by frame id. */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request; it rejects NODE_UNAVAILABLE if no answer comes within `timeoutMs`. */
  add(method: string, timeoutMs: number): { id: number; answer: Promise<unknown> } {
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => this.reject(id, new TandemError('NODE_UNAVAILABLE', `SFU node did not answer ${method} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#pending.set(id, { method, resolve, reject, timer });
    });
    return { id, answer };
  }

  resolve(id: number, data: unknown): void {
    this.#take(id)?.resolve(data);
  }

  reject(id: number, error: TandemError): void {
    this.#take(id)?.reject(error);
  }

  rejectAll(error: TandemError): void {
    for (const id of [...this.#pending.keys()]) this.reject(id, error);
  }

  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }
}
