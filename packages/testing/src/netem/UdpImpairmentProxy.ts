import { createSocket, type Socket } from 'node:dgram';
import { TandemError } from '@tandem/protocol';
import { ImpairedPath } from './ImpairedPath.js';
import { runSchedule } from './schedule.js';
import type { LinkCounters, LinkSettings, ScheduledRun, ScheduleStep } from './types.js';

export interface ProxyOptions {
  /** Where clients send to, e.g. 127.0.0.2. */
  listenHost: string;
  /** 0 = any free port. */
  listenPort: number;
  /** Where the real server listens, e.g. 127.0.0.1. */
  targetHost: string;
  /** 0 = the proxy's own port (a proxy on another address of the same host, as for an SFU). */
  targetPort: number;
  /** Same seed, same losses and jitter. Default 1. */
  seed?: number;
  settings?: LinkSettings;
}

/** More clients than any test has; a flood of sources must not exhaust file descriptors. */
const MAX_CLIENTS = 256;

/**
 * A UDP relay with a weak network in it: every client (source address) gets its own
 * socket towards the target, so the server sees distinct clients and its replies find
 * their way back. Up = client → target, down = target → client.
 */
export class UdpImpairmentProxy {
  readonly #listen: Socket;
  readonly #options: ProxyOptions;
  readonly #clients = new Map<string, Socket>();
  readonly up: ImpairedPath;
  readonly down: ImpairedPath;
  #closed = false;

  private constructor(listen: Socket, options: ProxyOptions) {
    this.#listen = listen;
    this.#options = options;
    const seed = options.seed ?? 1;
    this.up = new ImpairedPath({ seed, name: 'udp-up' });
    this.down = new ImpairedPath({ seed, name: 'udp-down' });
    if (options.settings) this.set(options.settings);
    listen.on('message', (msg, from) => this.#fromClient(msg, from.address, from.port));
    // ICMP errors surface here on Linux; a relay keeps relaying.
    listen.on('error', () => undefined);
  }

  static async start(options: ProxyOptions): Promise<UdpImpairmentProxy> {
    checkProxyOptions(options);
    const listen = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      listen.once('error', reject);
      listen.bind(options.listenPort, options.listenHost, () => {
        listen.off('error', reject);
        resolve();
      });
    });
    return new UdpImpairmentProxy(listen, options);
  }

  get port(): number {
    return this.#listen.address().port;
  }

  set(settings: LinkSettings): void {
    if (settings?.up) this.up.set(settings.up);
    if (settings?.down) this.down.set(settings.down);
  }

  schedule(steps: readonly ScheduleStep[]): ScheduledRun {
    return runSchedule(this, steps);
  }

  counters(): LinkCounters {
    return { up: { ...this.up.counters }, down: { ...this.down.counters } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.up.close();
    this.down.close();
    const sockets = [this.#listen, ...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #fromClient(msg: Buffer, address: string, port: number): void {
    if (this.#closed) return;
    const upstream = this.#upstreamFor(address, port);
    this.up.offer(msg.length, () => upstream.send(msg, this.#options.targetPort || this.port, this.#options.targetHost));
  }

  #upstreamFor(address: string, port: number): Socket {
    const key = `${address}:${port}`;
    const known = this.#clients.get(key);
    if (known) return known;
    if (this.#clients.size >= MAX_CLIENTS) {
      // The oldest client makes room: a flood of sources cannot lock real clients out for good.
      const [oldestKey, oldest] = this.#clients.entries().next().value as [string, Socket];
      this.#clients.delete(oldestKey);
      oldest.close();
    }
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    socket.on('message', (reply) => {
      if (this.#closed) return;
      this.down.offer(reply.length, () => this.#listen.send(reply, port, address));
    });
    // Bound next to the target so the server sees a loopback peer, as it would without us.
    socket.bind(0, this.#options.targetHost);
    this.#clients.set(key, socket);
    return socket;
  }
}

/** Throws a TandemError for options no socket could be opened with. */
export function checkProxyOptions(options: ProxyOptions): void {
  const ports = [options?.listenPort, options?.targetPort];
  if (ports.some((p) => !Number.isInteger(p) || p! < 0 || p! > 65535)) throw new TandemError('BAD_MESSAGE', 'proxy ports must be 0..65535');
  if (!options.targetPort && options.listenHost === options.targetHost) throw new TandemError('BAD_MESSAGE', 'a proxy cannot target itself');
  if (typeof options.listenHost !== 'string' || typeof options.targetHost !== 'string') throw new TandemError('BAD_MESSAGE', 'proxy hosts must be strings');
}
