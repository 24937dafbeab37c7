import {
  MAX_FRAME_BYTES,
  TypedEmitter,
  isErrorCode,
  type ClientMethod,
  type ClientParams,
  type ClientResults,
  type ServerNotifications,
} from '@tandem/protocol';
import { RoomError } from './RoomTypes.js';

/** Anything that builds a browser-compatible WebSocket (the global one, or `ws` in Node tests). */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface SignalingChannelOptions {
  /** How long a request waits for its reply. */
  requestTimeoutMs?: number;
  /** How long opening the socket may take. */
  openTimeoutMs?: number;
  WebSocket?: WebSocketConstructor;
}

/** A server notification as a discriminated union on `method`. */
export type ServerNotice = {
  [M in keyof ServerNotifications]: { method: M; params: ServerNotifications[M]; seq: number };
}[keyof ServerNotifications];

/** One event per server notification (params, seq), plus the channel's own life events. */
export type SignalingEvents = {
  [M in keyof ServerNotifications]: [params: ServerNotifications[M], seq: number];
} & {
  /** Every notification, in arrival order (also emitted under its own method name). */
  notification: [notice: ServerNotice];
  /** The socket is gone; every pending request has been rejected. */
  closed: [info: { code: number; reason: string; byClient: boolean }];
  /** A frame from the server could not be understood; it was ignored. */
  error: [error: RoomError];
};

interface PendingRequest {
  method: string;
  resolve: (data: unknown) => void;
  reject: (error: RoomError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Request/response over one WebSocket, correlated by id; notifications dispatched as typed events. */
export class SignalingChannel extends TypedEmitter<SignalingEvents> {
  readonly #socket: WebSocket;
  readonly #requestTimeoutMs: number;
  readonly #pending = new Map<number, PendingRequest>();
  #nextId = 1;
  #closed = false;
  #closingByClient = false;
  readonly #hello: Promise<ServerNotifications['hello']>;

  /** Opens a socket to `url` and resolves once it is open. */
  static connect(url: string, options: SignalingChannelOptions = {}): Promise<SignalingChannel> {
    const Impl = options.WebSocket ?? globalThis.WebSocket;
    if (!Impl) return Promise.reject(new RoomError('CONNECTION_LOST', 'WebSocket is not available here'));
    let socket: WebSocket;
    try {
      socket = new Impl(url);
    } catch (error) {
      return Promise.reject(new RoomError('CONNECTION_LOST', `cannot open ${url}: ${String(error)}`));
    }
    const channel = new SignalingChannel(socket, options);
    return new Promise((resolve, reject) => {
      const fail = (message: string): void => {
        clearTimeout(timer);
        channel.close();
        reject(new RoomError('CONNECTION_LOST', message));
      };
      const timer = setTimeout(() => fail(`opening ${url} timed out`), options.openTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(channel);
      });
      socket.addEventListener('close', () => fail(`could not connect to ${url}`));
    });
  }

  constructor(socket: WebSocket, options: SignalingChannelOptions = {}) {
    super();
    this.#socket = socket;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#hello = new Promise((resolve, reject) => {
      this.once('hello', (params) => resolve(params));
      this.once('closed', () => reject(new RoomError('CONNECTION_LOST', 'connection closed before hello')));
    });
    // A rejected hello nobody awaited must not surface as an unhandled rejection.
    this.#hello.catch(() => undefined);
    socket.addEventListener('message', (event) => this.#onMessage(event.data));
    socket.addEventListener('close', (event) => this.#onClose(event.code, event.reason));
    // A socket error is always followed by 'close', which settles everything; the listener
    // only keeps Node's `ws` from treating the error as unhandled.
    socket.addEventListener('error', () => undefined);
  }

  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === 1;
  }

  /** The server's first frame. Rejects if the socket closes first. */
  hello(): Promise<ServerNotifications['hello']> {
    return this.#hello;
  }

  request<M extends ClientMethod>(
    method: M,
    params: ClientParams<M>,
    timeoutMs = this.#requestTimeoutMs,
  ): Promise<ClientResults[M]> {
    if (!this.isOpen) return Promise.reject(new RoomError('CONNECTION_LOST', `cannot send ${method}: not connected`));
    const id = this.#nextId++;
    const frame = JSON.stringify(params === undefined ? { id, method } : { id, method, params });
    // Counted in UTF-16 units, an upper bound's lower bound; the server re-checks in bytes.
    if (frame.length > MAX_FRAME_BYTES) {
      return Promise.reject(new RoomError('FRAME_TOO_LARGE', `${method} request is larger than ${MAX_FRAME_BYTES} bytes`));
    }
    return new Promise<ClientResults[M]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RoomError('CONNECTION_LOST', `${method} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      try {
        this.#socket.send(frame);
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new RoomError('CONNECTION_LOST', `cannot send ${method}: ${String(error)}`));
      }
    });
  }

  /** Closes the socket on purpose; pending requests are rejected with CONNECTION_LOST. */
  close(code = 1000, reason = 'client closed'): void {
    if (this.#closed) return;
    this.#closingByClient = true;
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing or never opened: the close below still settles everything.
    }
    this.#onClose(code, reason);
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return;
    const frame = parseFrame(data);
    if (typeof frame === 'string') {
      this.emit('error', new RoomError('BAD_MESSAGE', `ignored a server frame: ${frame}`));
      return;
    }
    if ('ok' in frame) {
      this.#settle(frame);
      return;
    }
    // Unknown methods simply find no listener: a newer server may add notifications.
    const emitAny = this.emit as (event: string, params: unknown, seq: number) => void;
    emitAny.call(this, frame.method, frame.params, frame.seq);
    this.emit('notification', frame as ServerNotice);
  }

  #settle(frame: ParsedResponse): void {
    if (frame.id === null) {
      // The server could not read one of our frames well enough to find its id.
      this.emit('error', errorFrom(frame.error));
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return; // a reply that arrived after its request timed out
    this.#pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.data);
    else pending.reject(errorFrom(frame.error));
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new RoomError('CONNECTION_LOST', `connection closed before ${pending.method} got a reply`));
      this.#pending.delete(id);
    }
    this.emit('closed', { code, reason, byClient: this.#closingByClient });
  }
}

type ParsedResponse =
  | { id: number | null; ok: true; data: unknown; error?: undefined }
  | { id: number | null; ok: false; error: unknown };
type ParsedFrame = ParsedResponse | { method: string; params: unknown; seq: number };

/** Checks the envelope only; returns why the frame is unusable as a string. */
function parseFrame(data: unknown): ParsedFrame | string {
  if (typeof data !== 'string') return 'not a text frame';
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const frame = value as Record<string, unknown>;
  if ('ok' in frame) {
    const id = frame.id;
    if (!(id === null || (typeof id === 'number' && Number.isInteger(id)))) return 'reply without a valid id';
    if (frame.ok === true) return { id, ok: true, data: frame.data };
    if (frame.ok === false) return { id, ok: false, error: frame.error };
    return 'reply with a non-boolean ok';
  }
  if (typeof frame.method !== 'string' || frame.method.length === 0) return 'notification without a method';
  const seq = typeof frame.seq === 'number' ? frame.seq : -1;
  return { method: frame.method, params: frame.params ?? {}, seq };
}

/** A server error body as a RoomError; codes this client does not know become INTERNAL. */
export function errorFrom(body: unknown): RoomError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof record.message === 'string' ? record.message : 'server error';
  return new RoomError(isErrorCode(record.code) ? record.code : 'INTERNAL', message);
}
