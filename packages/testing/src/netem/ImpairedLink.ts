import { runSchedule } from './schedule.js';
import { TcpImpairmentProxy } from './TcpImpairmentProxy.js';
import type { LinkCounters, LinkSettings, ScheduledRun, ScheduleStep } from './types.js';
import { UdpImpairmentProxy, type ProxyOptions } from './UdpImpairmentProxy.js';

export interface ImpairedLinkOptions extends Omit<ProxyOptions, 'listenPort'> {
  /** The same port for UDP and TCP, as an SFU uses; 0 = one free for both. */
  listenPort: number;
}

/**
 * A weak network in front of one address: a UDP and a TCP proxy on the same
 * host:port, driven together. `set()` applies to both (rate limits are per protocol);
 * `udp.set()` / `tcp.set()` impair one only (e.g. a network that blocks UDP).
 */
export class ImpairedLink {
  private constructor(
    readonly udp: UdpImpairmentProxy,
    readonly tcp: TcpImpairmentProxy,
  ) {}

  static async start(options: ImpairedLinkOptions): Promise<ImpairedLink> {
    // With port 0, take UDP's free port and try it for TCP; another process may own it.
    for (let attempt = 0; ; attempt += 1) {
      const udp = await UdpImpairmentProxy.start(options);
      try {
        const tcp = await TcpImpairmentProxy.start({ ...options, listenPort: udp.port });
        return new ImpairedLink(udp, tcp);
      } catch (error) {
        await udp.close();
        if (options.listenPort !== 0 || attempt >= 5) throw error;
      }
    }
  }

  get port(): number {
    return this.udp.port;
  }

  set(settings: LinkSettings): void {
    this.udp.set(settings);
    this.tcp.set(settings);
  }

  schedule(steps: readonly ScheduleStep[]): ScheduledRun {
    return runSchedule(this, steps);
  }

  counters(): { udp: LinkCounters; tcp: LinkCounters } {
    return { udp: this.udp.counters(), tcp: this.tcp.counters() };
  }

  async close(): Promise<void> {
    await Promise.all([this.udp.close(), this.tcp.close()]);
  }
}
