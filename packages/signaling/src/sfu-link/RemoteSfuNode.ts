import os from 'node:os';
import type WebSocket from 'ws';
import {
  MAX_CONTROL_FRAME_BYTES,
  TandemError,
  TypedEmitter,
  controlFrameId,
  decodeControlServerFrame,
  isSfuMethod,
  type SfuControl,
  type SfuEvents,
  type SfuMethod,
  type SfuRequests,
} from '@tandem/protocol';
import { openControlSocket, type ControlDial } from './openControlSocket.js';
import { PendingRequests } from './PendingRequests.js';

/** pino-compatible: a Fastify or pino logger fits as is. */
export interface SfuLinkLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface RemoteSfuNodeOptions {
  nodeId: string;
  /** The node's control endpoint, e.g. ws://10.0.0.7:7880/control. */
  url: string;
  /** Shared with the SFU nodes; a fresh short-lived token is signed with it per connection. */
  secret: string;
  log?: SfuLinkLogger;
  /** A request unanswered this long rejects NODE_UNAVAILABLE; default 10 s. */
  requestTimeoutMs?: number;
  /** Who we are in the node's logs (the token's subject); default signaling-<host>-<pid>. */
  clientId?: string;
  /** Silence (no ping, no frame) this long means the link is dead; default 5 s = two missed 2 s pings. */
  heartbeatTimeoutMs?: number;
  /** Per connection attempt; default 3 s. */
  connectTimeoutMs?: number;
  /** Reconnect delays double from initialMs up to maxMs (with jitter); default 200 ms → 5 s. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** `connected` fires each time the link comes back after a drop. */
export type RemoteSfuNodeEvents = SfuEvents & { connected: [] };

const quiet: SfuLinkLogger = { info() {}, warn() {}, debug() {} };

/**
 * An SFU node in another process, driven through its control WebSocket exactly as an
 * in-process SfuNode: same requests, same events, same TandemError codes. A dropped
 * link is reported at once (nodeDown, pending requests rejected NODE_UNAVAILABLE) and
 * re-dialled in the background until close().
 */
export class RemoteSfuNode extends TypedEmitter<RemoteSfuNodeEvents> implements SfuControl {
  readonly nodeId: string;
  readonly #options: Required<Omit<RemoteSfuNodeOptions, 'log' | 'backoff'>> & { initialMs: number; maxMs: number };
  readonly #log: SfuLinkLogger;
  readonly #pending = new PendingRequests();
  #ws: WebSocket | null = null;
  #heartbeat: NodeJS.Timeout | undefined;
  #redial: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;

  /** Resolves once connected; rejects NODE_UNAVAILABLE if the node cannot be reached or refuses us. */
  static async connect(options: RemoteSfuNodeOptions): Promise<RemoteSfuNode> {
    const link = new RemoteSfuNode(options);
    link.#attach(await openControlSocket(link.#dial()));
    return link;
  }

  private constructor(options: RemoteSfuNodeOptions) {
    super();
    const { nodeId, url, secret } = options ?? {};
    if (typeof nodeId !== 'string' || nodeId.length === 0) throw new TandemError('BAD_PARAMS', 'nodeId is required');
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) throw new TandemError('BAD_PARAMS', 'url must be ws:// or wss://');
    if (typeof secret !== 'string' || secret.length === 0) throw new TandemError('BAD_PARAMS', 'secret is required');
    this.nodeId = nodeId;
    this.#log = options.log ?? quiet;
    this.#options = {
      nodeId,
      url,
      secret,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      clientId: options.clientId ?? `signaling-${os.hostname()}-${process.pid}`,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 3000,
      initialMs: options.backoff?.initialMs ?? 200,
      maxMs: options.backoff?.maxMs ?? 5000,
    };
  }

  get connected(): boolean {
    return this.#ws !== null;
  }

  async request<M extends SfuMethod>(method: M, params: SfuRequests[M]['params']): Promise<SfuRequests[M]['result']> {
    if (!isSfuMethod(method)) throw new TandemError('UNKNOWN_METHOD', `unknown SFU method ${String(method)}`);
    const ws = this.#ws;
    if (!ws) throw this.#unavailable('not connected');
    let paramsText: string | undefined;
    try {
      paramsText = JSON.stringify(params ?? {});
    } catch {
      paramsText = undefined;
    }
    if (paramsText === undefined) throw new TandemError('BAD_PARAMS', 'params must be plain JSON data');
    // Room for the id and method around the params.
    if (Buffer.byteLength(paramsText) + 128 > MAX_CONTROL_FRAME_BYTES) {
      throw new TandemError('FRAME_TOO_LARGE', `${method} params over ${MAX_CONTROL_FRAME_BYTES} bytes`);
    }
    const { id, answer } = this.#pending.add(method, this.#options.requestTimeoutMs);
    ws.send(`{"id":${id},"method":${JSON.stringify(method)},"params":${paramsText}}`, (error) => {
      if (error) this.#pending.reject(id, this.#unavailable(`send failed: ${error.message}`));
    });
    return answer as Promise<SfuRequests[M]['result']>;
  }

  /** Stops the link for good: no more requests, events or reconnects (and no nodeDown: the caller chose this). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#redial);
    clearTimeout(this.#heartbeat);
    const ws = this.#ws;
    this.#ws = null;
    this.#pending.rejectAll(this.#unavailable('link closed'));
    if (!ws) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'signaling closing the link');
      setTimeout(() => ws.terminate(), 1000).unref();
    });
  }

  #dial(): ControlDial {
    const { url, secret, clientId, connectTimeoutMs } = this.#options;
    return { url, secret, sub: clientId, timeoutMs: connectTimeoutMs };
  }

  #attach(ws: WebSocket): void {
    if (this.#closed) {
      ws.on('error', () => {});
      ws.close(1000);
      return;
    }
    this.#ws = ws;
    this.#attempt = 0;
    const alive = (): void => {
      clearTimeout(this.#heartbeat);
      this.#heartbeat = setTimeout(() => this.#lost(ws, 'missed pings'), this.#options.heartbeatTimeoutMs);
      this.#heartbeat.unref();
    };
    alive();
    ws.on('ping', alive);
    ws.on('message', (data, isBinary) => {
      alive();
      if (!isBinary) this.#onFrame(String(data));
    });
    ws.on('error', (error) => this.#log.debug({ sfuNodeId: this.nodeId, err: error.message }, 'SFU control socket error'));
    ws.on('close', (code) => this.#lost(ws, `control connection closed (${code})`));
    this.#log.info({ sfuNodeId: this.nodeId, url: this.#options.url }, 'SFU control link up');
  }

  #onFrame(text: string): void {
    let frame;
    try {
      frame = decodeControlServerFrame(text);
    } catch (error) {
      const id = controlFrameId(text);
      const reason = error instanceof TandemError ? error : new TandemError('BAD_MESSAGE', 'unreadable control frame');
      this.#log.warn({ sfuNodeId: this.nodeId, id, code: reason.code }, 'unreadable frame from SFU node');
      if (id !== null) this.#pending.reject(id, reason);
      return;
    }
    if ('event' in frame) {
      (this.emit as (event: string, ...args: unknown[]) => void)(frame.event, ...frame.args);
    } else if (frame.ok) {
      this.#pending.resolve(frame.id, frame.data);
    } else if (frame.id === null) {
      this.#log.warn({ sfuNodeId: this.nodeId, error: frame.error }, 'SFU node could not read one of our frames');
    } else {
      this.#pending.reject(frame.id, new TandemError(frame.error.code, frame.error.message));
    }
  }

  #lost(ws: WebSocket, reason: string): void {
    if (this.#ws !== ws) return;
    this.#ws = null;
    clearTimeout(this.#heartbeat);
    ws.terminate();
    this.#log.warn({ sfuNodeId: this.nodeId, reason, pending: this.#pending.size }, 'SFU control link down');
    this.#pending.rejectAll(this.#unavailable(reason));
    this.emit('nodeDown', { nodeId: this.nodeId, reason });
    this.#scheduleRedial();
  }

  #scheduleRedial(): void {
    if (this.#closed) return;
    const { initialMs, maxMs } = this.#options;
    // Jitter, so every signaling process does not knock at the same moment.
    const delay = Math.min(maxMs, initialMs * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
    this.#redial = setTimeout(() => {
      openControlSocket(this.#dial()).then(
        (ws) => {
          this.#attach(ws);
          if (this.#ws === ws) this.emit('connected');
        },
        (error: unknown) => {
          this.#log.debug({ sfuNodeId: this.nodeId, attempt: this.#attempt, err: String(error) }, 'SFU control redial failed');
          this.#scheduleRedial();
        },
      );
    }, delay);
    this.#redial.unref();
  }

  #unavailable(why: string): TandemError {
    return new TandemError('NODE_UNAVAILABLE', `SFU node ${this.nodeId} unavailable: ${why}`);
  }
}
