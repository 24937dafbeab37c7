import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ImpairedPath } from './ImpairedPath.js';
import { runSchedule } from './schedule.js';
import type { LinkCounters, LinkSettings, ScheduledRun, ScheduleStep } from './types.js';
import { checkProxyOptions, type ProxyOptions } from './UdpImpairmentProxy.js';

interface Pair {
  client: Socket;
  server: Socket;
}

/**
 * A TCP relay with a weak network in it: delay, rate limit and outage per direction,
 * shared by all connections like one access link. Nothing is ever dropped (TCP would
 * just retransmit it): a full queue pauses the readers, a 'stall' outage holds the
 * bytes until the link is back, a 'reset' outage closes every connection.
 */
export class TcpImpairmentProxy {
  readonly #server: Server;
  readonly #options: ProxyOptions;
  readonly #pairs = new Set<Pair>();
  readonly up: ImpairedPath;
  readonly down: ImpairedPath;
  #closed = false;

  private constructor(server: Server, options: ProxyOptions) {
    this.#server = server;
    this.#options = options;
    const seed = options.seed ?? 1;
    this.up = new ImpairedPath({ seed, name: 'tcp-up', lossless: true, onDrain: () => this.#resume('client') });
    this.down = new ImpairedPath({ seed, name: 'tcp-down', lossless: true, onDrain: () => this.#resume('server') });
    if (options.settings) this.set(options.settings);
    server.on('connection', (client) => this.#accept(client));
    server.on('error', () => undefined);
  }

  static async start(options: ProxyOptions): Promise<TcpImpairmentProxy> {
    checkProxyOptions(options);
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort, options.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpImpairmentProxy(server, options);
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** Connections open now (tests and diagnostics). */
  get connections(): number {
    return this.#pairs.size;
  }

  set(settings: LinkSettings): void {
    if (settings?.up) this.up.set(settings.up);
    if (settings?.down) this.down.set(settings.down);
    if (this.#resetting()) for (const pair of this.#pairs) this.#reset(pair);
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
    for (const pair of this.#pairs) this.#reset(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #resetting(): boolean {
    const outage = (p: ImpairedPath): boolean => p.impairment.outage && p.impairment.tcpOutage === 'reset';
    return outage(this.up) || outage(this.down);
  }

  #accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.#closed || this.#resetting()) {
      client.resetAndDestroy();
      return;
    }
    const server = createConnection({ host: this.#options.targetHost, port: this.#options.targetPort || this.port, noDelay: true });
    server.on('error', () => undefined);
    const pair: Pair = { client, server };
    this.#pairs.add(pair);
    this.#relay(client, server, this.up, 'client');
    this.#relay(server, client, this.down, 'server');
    const forget = (): void => {
      if (!this.#pairs.delete(pair)) return;
      client.destroy();
      server.destroy();
    };
    client.once('close', forget);
    server.once('close', forget);
  }

  #relay(from: Socket, to: Socket, path: ImpairedPath, side: 'client' | 'server'): void {
    from.on('data', (chunk: Buffer) => {
      path.offer(chunk.length, () => {
        if (!to.destroyed) to.write(chunk);
      });
      if (path.congested) this.#pause(side);
    });
    // The end travels behind the last bytes, through the same delay.
    from.on('end', () => path.offer(0, () => to.end()));
  }

  #pause(side: 'client' | 'server'): void {
    for (const pair of this.#pairs) pair[side].pause();
  }

  #resume(side: 'client' | 'server'): void {
    for (const pair of this.#pairs) pair[side].resume();
  }

  #reset(pair: Pair): void {
    this.#pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.server.resetAndDestroy();
  }
}
