import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  type ClientMethod,
  type ClientParams,
  type ClientResults,
  type ErrorBody,
  type NotificationFrame,
  type ResponseFrame,
} from '@tandem/protocol';

/**
 * A bare signaling client for tests and benchmarks that need no browser: it speaks
 * the wire protocol directly, so it can also send what a browser never would.
 */
export class SignalingClient {
  readonly notifications: NotificationFrame[] = [];
  readonly #pending = new Map<number, (frame: ResponseFrame) => void>();
  readonly #unmatched: ResponseFrame[] = [];
  readonly #watchers = new Set<(frame: NotificationFrame) => void>();
  #nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ResponseFrame | NotificationFrame;
      if ('ok' in frame) {
        const resolve = frame.id === null ? undefined : this.#pending.get(frame.id);
        if (resolve && frame.id !== null) {
          this.#pending.delete(frame.id);
          resolve(frame);
        } else this.#unmatched.push(frame);
      } else {
        this.notifications.push(frame);
        for (const watch of [...this.#watchers]) watch(frame);
      }
    });
  }

  static async connect(base: string): Promise<SignalingClient> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    const client = new SignalingClient(socket); // listening before open: hello comes at once
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Replies that carried no id we were waiting for (errors to unparseable frames). */
  takeUnmatched(): ResponseFrame[] {
    return this.#unmatched.splice(0);
  }

  async request<M extends ClientMethod>(method: M, params: ClientParams<M>): Promise<ClientResults[M]> {
    const reply = await this.raw({ method, params });
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.data as ClientResults[M];
  }

  /** Sends any object as a frame (an id is added unless present) and waits for its reply. */
  async raw(frame: Record<string, unknown>, timeoutMs = 5_000): Promise<ResponseFrame> {
    const id = typeof frame.id === 'number' ? frame.id : this.#nextId++;
    const reply = new Promise<ResponseFrame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${String(frame.method)}`)), timeoutMs);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.socket.send(JSON.stringify({ id, ...frame })); // id first, as the browser SDK sends it
    return reply;
  }

  /** Sends bytes as they are; the reply (if any) lands in takeUnmatched(). */
  sendText(text: string | Buffer, binary = false): void {
    this.socket.send(text, { binary });
  }

  join(token: string, extra: Partial<ClientParams<'join'>> = {}): Promise<ClientResults['join']> {
    return this.request('join', { protocolVersion: PROTOCOL_VERSION, token, rtpCapabilities: { codecs: [] }, ...extra });
  }

  async waitFor(method: string, timeoutMs = 5_000): Promise<NotificationFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.notifications.find((n) => n.method === method);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} notification`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The next notification of `method` matching `test` that arrives from now on (exact timing, no polling). */
  next(method: string, test: (params: unknown) => boolean = () => true, timeoutMs = 5_000): Promise<NotificationFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#watchers.delete(watch);
        reject(new Error(`no ${method} notification`));
      }, timeoutMs);
      const watch = (frame: NotificationFrame): void => {
        if (frame.method !== method || !test(frame.params)) return;
        clearTimeout(timer);
        this.#watchers.delete(watch);
        resolve(frame);
      };
      this.#watchers.add(watch);
    });
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export type { ErrorBody };
