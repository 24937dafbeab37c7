import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  MAX_CONTROL_FRAME_BYTES,
  SFU_EVENTS,
  TandemError,
  controlFrameId,
  decodeControlRequest,
  verifyControlToken,
  type ControlEvent,
  type ControlResponse,
  type SfuControl,
  type SfuEvents,
} from '@tandem/protocol';
import type { SfuLogger } from './SfuNodeTypes.js';

export interface SfuControlServerOptions {
  /** Shared with signaling; tokens are HMAC-signed with it. */
  secret: string;
  logger?: SfuLogger;
  /** URL path this endpoint answers on; default '/control'. */
  path?: string;
  /** How often clients are pinged; one missed pong and the client is dropped. Default 2000 ms. */
  pingIntervalMs?: number;
}

interface ControlClient {
  ws: WebSocket;
  sub: string;
  /** A pong (or any frame) arrived since the last ping. */
  alive: boolean;
}

const silent: SfuLogger = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * An SFU node's control endpoint: the SfuControl requests and events carried over a
 * WebSocket, for signaling processes elsewhere in the cluster. It never touches the
 * node's internals: every request goes through `node.request`, which validates params.
 */
export class SfuControlServer {
  readonly #node: SfuControl;
  readonly #secret: string;
  readonly #logger: SfuLogger;
  readonly #path: string;
  // Our own size check answers with a typed error; ws's hard limit (which just drops
  // the connection) only stops frames far beyond anything legitimate.
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_CONTROL_FRAME_BYTES, perMessageDeflate: false });
  readonly #clients = new Set<ControlClient>();
  readonly #forwarders: { event: keyof SfuEvents; listener: (...args: unknown[]) => void }[] = [];
  readonly #pinger: NodeJS.Timeout;
  #closed = false;

  constructor(node: SfuControl, options: SfuControlServerOptions) {
    if (typeof options?.secret !== 'string' || options.secret.length === 0) {
      throw new TandemError('BAD_PARAMS', 'SfuControlServer needs a non-empty secret');
    }
    this.#node = node;
    this.#secret = options.secret;
    this.#logger = options.logger ?? silent;
    this.#path = options.path ?? '/control';
    for (const event of SFU_EVENTS) {
      const listener = (...args: unknown[]): void => this.#broadcast({ event, args } as ControlEvent);
      node.on(event, listener as never);
      this.#forwarders.push({ event, listener });
    }
    this.#pinger = setInterval(() => this.#pingAll(), options.pingIntervalMs ?? 2000);
    this.#pinger.unref();
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /**
   * For the http server's 'upgrade' event. Returns false when the path is not ours, so
   * the caller can route it elsewhere; otherwise it owns the socket from here on.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (pathOf(req.url) !== this.#path) return false;
    // The socket may fail while the token is checked; that must not crash the process.
    socket.on('error', (error) => this.#logger.debug({ err: error.message }, 'control socket error before upgrade'));
    void this.#authorize(req, socket, head);
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pinger);
    for (const { event, listener } of this.#forwarders) this.#node.off(event, listener as never);
    const gone = [...this.#clients].map(
      ({ ws }) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'SFU control endpoint closing');
          // A client that does not finish the closing handshake is cut off.
          setTimeout(() => ws.terminate(), 1000).unref();
        }),
    );
    await Promise.all(gone);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  async #authorize(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const remote = req.socket.remoteAddress;
    if (this.#closed) return refuse(socket, 503, 'Service Unavailable');
    const bearer = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '')?.[1];
    let sub: string;
    try {
      if (!bearer) throw new TandemError('UNAUTHORIZED', 'no bearer token');
      ({ sub } = await verifyControlToken(this.#secret, bearer));
    } catch (error) {
      const reason = error instanceof TandemError ? error.message : 'token check failed';
      this.#logger.warn({ remote, reason }, 'control connection refused');
      return refuse(socket, 401, 'Unauthorized');
    }
    if (socket.destroyed) return;
    if (this.#closed) return refuse(socket, 503, 'Service Unavailable');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, sub, remote));
  }

  #accept(ws: WebSocket, sub: string, remote: string | undefined): void {
    const client: ControlClient = { ws, sub, alive: true };
    this.#clients.add(client);
    this.#logger.info({ sub, remote, clients: this.#clients.size }, 'control client connected');
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => {
      client.alive = true;
      this.#onFrame(client, data, isBinary).catch((error: unknown) =>
        this.#logger.error({ sub, err: String(error) }, 'control frame handling failed'),
      );
    });
    ws.on('error', (error) => this.#logger.warn({ sub, err: error.message }, 'control client error'));
    ws.on('close', (code) => {
      this.#clients.delete(client);
      this.#logger.info({ sub, code, clients: this.#clients.size }, 'control client gone');
    });
  }

  async #onFrame(client: ControlClient, data: RawData, isBinary: boolean): Promise<void> {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > MAX_CONTROL_FRAME_BYTES) {
      return this.#reply(client, errorReply(null, new TandemError('FRAME_TOO_LARGE', `control frame over ${MAX_CONTROL_FRAME_BYTES} bytes`)));
    }
    if (isBinary) return this.#reply(client, errorReply(null, new TandemError('BAD_MESSAGE', 'control frames are JSON text')));
    const raw = bytes.toString('utf8');
    let request;
    try {
      request = decodeControlRequest(raw);
    } catch (error) {
      return this.#reply(client, errorReply(controlFrameId(raw), error));
    }
    try {
      const data = await this.#node.request(request.method, request.params as never);
      this.#reply(client, { id: request.id, ok: true, data: data ?? null });
    } catch (error) {
      if (!(error instanceof TandemError)) this.#logger.error({ sub: client.sub, method: request.method, err: String(error) }, 'control request failed');
      this.#reply(client, errorReply(request.id, error));
    }
  }

  #reply(client: ControlClient, response: ControlResponse): void {
    let text = JSON.stringify(response);
    if (text.length > MAX_CONTROL_FRAME_BYTES) {
      this.#logger.error({ sub: client.sub, id: response.id, bytes: text.length }, 'control response too large');
      text = JSON.stringify(errorReply(response.id, new TandemError('INTERNAL', 'response too large for a control frame')));
    }
    this.#send(client, text);
  }

  #broadcast(frame: ControlEvent): void {
    const text = JSON.stringify(frame);
    for (const client of this.#clients) this.#send(client, text);
  }

  #send(client: ControlClient, text: string): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    client.ws.send(text, (error) => {
      if (error) this.#logger.debug({ sub: client.sub, err: error.message }, 'control frame not sent');
    });
  }

  #pingAll(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        this.#logger.warn({ sub: client.sub }, 'control client missed a pong; dropping it');
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

function errorReply(id: number | null, error: unknown): ControlResponse {
  const tandem = error instanceof TandemError ? error : new TandemError('INTERNAL', 'internal error');
  return { id, ok: false, error: tandem.toBody() };
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://control.invalid').pathname;
  } catch {
    return '';
  }
}

function refuse(socket: Duplex, status: 401 | 503, text: string): void {
  if (socket.destroyed) return;
  // Destroy only once the response is flushed, or the client sees a bare reset.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}
