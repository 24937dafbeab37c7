import type { NetworkLeg } from '@tandem/protocol';
import type { Device } from 'mediasoup-client';
import { ProbeLegLink } from './networkProbeLeg.js';
import { NetworkTestApi } from './networkTestApi.js';
import { judgeNetwork, pingFigures, uploadFigure, type NetworkFigures, type NetworkVerdict, type NetworkWeakness } from './networkVerdict.js';
import { RoomError } from './RoomTypes.js';
import type { FetchFunction } from './TandemApi.js';

export { judgeNetwork, pingFigures, uploadFigure, WEAK_NETWORK } from './networkVerdict.js';
export type { Judgement, NetworkFigures, NetworkVerdict, NetworkWeakness } from './networkVerdict.js';

export interface NetworkTestOptions {
  serverUrl: string;
  /** The call token the customer will join with; the test runs against that call's SFU node. */
  token: string;
  /** A loaded device (prepareDevice); shared with the call, so the test costs it no extra load. */
  device: Device | Promise<Device>;
  fetch?: FetchFunction;
  /** How long each way through may take to connect; default 8000 ms. */
  connectTimeoutMs?: number;
  /** Pings for RTT and loss; default 25, 40 ms apart. */
  pings?: number;
  pingIntervalMs?: number;
  /** The upload burst: default 1000 ms at up to 4000 kbit/s. */
  burstMs?: number;
  burstKbps?: number;
}

export interface NetworkReport extends NetworkFigures {
  verdict: NetworkVerdict;
  weaknesses: NetworkWeakness[];
  /** Why the verdict is 'unknown' (the test could not run), as an error code. */
  problem?: string;
}

/** Measuring prefers the way a call would take. */
const PREFERENCE: readonly NetworkLeg[] = ['udp', 'tcp', 'relay'];

/**
 * The pre-call network test: which ways through to the SFU work (UDP, ICE over TCP,
 * TURN), then, over the best one, round trip, loss and an upload estimate, and a
 * verdict. `run()` never rejects; `cancel()` (e.g. on Join) stops it and frees the
 * server's transports at once.
 */
export class NetworkTest {
  readonly #options: NetworkTestOptions;
  readonly #api: NetworkTestApi;
  readonly #links = new Set<ProbeLegLink>();
  #probeId: string | undefined;
  #cancelled = false;
  #running: Promise<NetworkReport> | undefined;

  constructor(options: NetworkTestOptions) {
    this.#options = options;
    this.#api = new NetworkTestApi(options.serverUrl, options.token, options.fetch);
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  run(): Promise<NetworkReport> {
    this.#running ??= this.#run().catch((error: unknown) => unknownReport(error)).finally(() => this.#release());
    return this.#running;
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#release();
  }

  async #run(): Promise<NetworkReport> {
    const device = await this.#options.device;
    this.#check();
    const offer = await this.#api.open();
    const deadline = Date.now() + offer.ttlMs;
    this.#probeId = offer.probeId;
    if (this.#cancelled) this.#release();
    this.#check();
    const reachable: NetworkFigures['reachable'] = { udp: null, tcp: null, relay: null };
    const links = new Map<NetworkLeg, ProbeLegLink>();
    await Promise.all(
      offer.legs.map(async (leg) => {
        try {
          const link = await ProbeLegLink.open(leg, device, offer.iceServers, this.#api, offer.probeId, this.#options.connectTimeoutMs ?? 8000);
          if (this.#cancelled) return link.close();
          this.#links.add(link);
          links.set(leg.leg, link);
          reachable[leg.leg] = true;
        } catch {
          reachable[leg.leg] = false;
        }
      }),
    );
    this.#check();
    const via = PREFERENCE.find((leg) => links.has(leg)) ?? null;
    // Only the way a call would use carries on; the others have answered their question.
    for (const [leg, link] of links) if (leg !== via) this.#drop(link);
    const figures: NetworkFigures = { reachable, via, rttMs: null, lossPercent: null, uploadKbps: null };
    const link = via ? links.get(via) : undefined;
    if (link) await this.#measure(link, figures, deadline);
    this.#check();
    return { ...figures, ...judgeNetwork(figures) };
  }

  async #measure(link: ProbeLegLink, figures: NetworkFigures, deadline: number): Promise<void> {
    const o = this.#options;
    await link.warmUp(2000);
    this.#check();
    const pings = await link.ping(o.pings ?? 25, o.pingIntervalMs ?? 40);
    Object.assign(figures, pingFigures(pings.sent, pings.rttsMs));
    this.#check();
    // The burst only if the test has time left before the server tears it down.
    if (Date.now() + (o.burstMs ?? 1000) + 2000 > deadline) return;
    const burst = await link.burst(o.burstMs ?? 1000, o.burstKbps ?? 4000);
    figures.uploadKbps = uploadFigure(burst.echoedBytes, burst.elapsedMs);
  }

  #check(): void {
    if (this.#cancelled) throw new RoomError('BAD_STATE', 'network test cancelled');
  }

  #drop(link: ProbeLegLink): void {
    this.#links.delete(link);
    link.close();
  }

  /** Closes every transport and tells the server (best effort: it tears down on its own anyway). */
  #release(): void {
    for (const link of this.#links) link.close();
    this.#links.clear();
    const probeId = this.#probeId;
    this.#probeId = undefined;
    if (probeId) this.#api.close(probeId).catch(() => undefined);
  }
}

function unknownReport(error: unknown): NetworkReport {
  const problem = error instanceof RoomError ? error.reason : 'INTERNAL';
  return {
    verdict: 'unknown',
    weaknesses: [],
    reachable: { udp: null, tcp: null, relay: null },
    via: null,
    rttMs: null,
    lossPercent: null,
    uploadKbps: null,
    problem,
  };
}
