import type { IceServer, ProbeLeg } from '@tandem/protocol';
import type { Device, types } from 'mediasoup-client';
import type { NetworkTestApi } from './networkTestApi.js';
import { iceOptions, transportOptions } from './transportOptions.js';

const LABEL = 'tandem-network-test';
const BURST_MESSAGE_BYTES = 1024;
/** Keep at most this much queued in the browser while bursting: beyond it the path is the limit, not us. */
const MAX_BUFFERED_BYTES = 64 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One way through to the SFU (UDP, TCP or TURN): a send and a recv transport whose data
 * channel the SFU echoes. Open resolves once messages can flow both ways.
 */
export class ProbeLegLink {
  readonly #send: types.Transport;
  readonly #recv: types.Transport;
  #producer: types.DataProducer | undefined;
  #consumer: types.DataConsumer | undefined;
  #onMessage: (data: string, at: number) => void = () => undefined;

  private constructor(
    readonly leg: ProbeLeg,
    device: Device,
    iceServers: IceServer[],
    private readonly api: NetworkTestApi,
    private readonly probeId: string,
  ) {
    const ice = leg.leg === 'relay' ? iceOptions(iceServers, 'relay') : {};
    this.#send = device.createSendTransport({ ...transportOptions(leg.sendTransport), ...ice });
    this.#recv = device.createRecvTransport({ ...transportOptions(leg.recvTransport), ...ice });
    for (const transport of [this.#send, this.#recv]) {
      transport.on('connect', ({ dtlsParameters }, done, fail) => {
        api.connect(probeId, transport.id, dtlsParameters).then(done, fail);
      });
    }
  }

  /** Connects the leg; rejects if it is not through within `timeoutMs`. */
  static async open(leg: ProbeLeg, device: Device, iceServers: IceServer[], api: NetworkTestApi, probeId: string, timeoutMs: number): Promise<ProbeLegLink> {
    const link = new ProbeLegLink(leg, device, iceServers, api, probeId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${leg.leg} did not connect within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([link.#connect(), timeout]);
      return link;
    } catch (error) {
      link.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #connect(): Promise<void> {
    let echo: Awaited<ReturnType<NetworkTestApi['echo']>> | undefined;
    this.#send.on('producedata', ({ sctpStreamParameters }, done, fail) => {
      this.api.echo(this.probeId, this.#send.id, sctpStreamParameters, LABEL).then((reply) => {
        echo = reply;
        done({ id: reply.dataProducerId });
      }, fail);
    });
    // Like media: unordered, never retransmitted, so loss shows as loss and not as delay.
    const producer = (this.#producer = await this.#send.produceData({ ordered: false, maxRetransmits: 0, label: LABEL }));
    if (!echo) throw new Error('the server gave no echo channel');
    const consumer = (this.#consumer = await this.#recv.consumeData({
      id: echo.echo.id,
      dataProducerId: echo.echo.dataProducerId,
      sctpStreamParameters: echo.echo.sctpStreamParameters as types.SctpStreamParameters,
      label: echo.echo.label,
      protocol: echo.echo.protocol,
    }));
    consumer.on('message', (data: unknown) => {
      if (typeof data === 'string') this.#onMessage(data, performance.now());
    });
    await Promise.all([opened(producer as OpeningChannel), opened(consumer as OpeningChannel)]);
  }

  /**
   * Sends a hello every 100 ms until one comes back (or `timeoutMs`), so the figures
   * measure the path, not the last moments of the connection being set up.
   */
  async warmUp(timeoutMs: number): Promise<boolean> {
    let echoed = false;
    this.#onMessage = (data) => {
      if (data === 'w') echoed = true;
    };
    const start = performance.now();
    while (!echoed && this.#open && performance.now() - start < timeoutMs) {
      this.#producer!.send('w');
      await sleep(100);
    }
    this.#onMessage = () => undefined;
    return echoed;
  }

  /** `count` pings `intervalMs` apart; resolves with how many went out and each echo's round trip. */
  async ping(count: number, intervalMs: number): Promise<{ sent: number; rttsMs: number[] }> {
    const sentAt = new Map<number, number>();
    const rtts: number[] = [];
    this.#onMessage = (data, at) => {
      if (!data.startsWith('p')) return;
      const seq = Number(data.slice(1));
      const start = sentAt.get(seq);
      if (start === undefined) return;
      sentAt.delete(seq);
      rtts.push(at - start);
    };
    let sent = 0;
    for (let seq = 0; seq < count && this.#open; seq++) {
      sentAt.set(seq, performance.now());
      this.#producer!.send(`p${seq}`);
      sent++;
      await sleep(intervalMs);
    }
    // Late echoes still count: wait a few round trips (bounded) for the stragglers.
    const slowest = rtts.length > 0 ? Math.max(...rtts) : 1000;
    const deadline = performance.now() + Math.min(2500, Math.max(600, 3 * slowest));
    while (sentAt.size > 0 && performance.now() < deadline) await sleep(50);
    this.#onMessage = () => undefined;
    return { sent, rttsMs: rtts };
  }

  /**
   * Sends at up to `kbps` for `durationMs`, never queueing more than MAX_BUFFERED_BYTES,
   * and counts the bytes that come back: what the path carries both ways, up to that pace.
   */
  async burst(durationMs: number, kbps: number): Promise<{ echoedBytes: number; elapsedMs: number }> {
    const message = `b${'x'.repeat(BURST_MESSAGE_BYTES - 1)}`;
    let echoedBytes = 0;
    let lastEcho = 0;
    this.#onMessage = (data, at) => {
      if (!data.startsWith('b')) return;
      echoedBytes += data.length;
      lastEcho = at;
    };
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((kbps * tickMs) / 8 / BURST_MESSAGE_BYTES));
    const start = performance.now();
    while (performance.now() - start < durationMs && this.#open) {
      for (let i = 0; i < perTick && this.#producer!.bufferedAmount < MAX_BUFFERED_BYTES; i++) this.#producer!.send(message);
      await sleep(tickMs);
    }
    // Let what is in flight (and queued) come back, but no longer than a second of quiet.
    const end = performance.now();
    while (this.#open && performance.now() - end < 3000) {
      const quietFor = performance.now() - Math.max(lastEcho, end);
      if (quietFor > 1000 || (this.#producer!.bufferedAmount === 0 && quietFor > 300)) break;
      await sleep(50);
    }
    this.#onMessage = () => undefined;
    return { echoedBytes, elapsedMs: lastEcho > 0 ? lastEcho - start : 0 };
  }

  get #open(): boolean {
    return this.#producer?.readyState === 'open' && !this.#send.closed;
  }

  close(): void {
    this.#send.close();
    this.#recv.close();
  }
}

/** The subset of DataProducer and DataConsumer events waited on; both have them. */
interface OpeningChannel {
  readonly readyState: RTCDataChannelState;
  on(event: 'open' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

function opened(channel: OpeningChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    channel.on('open', () => resolve());
    channel.on('error', (error: Error) => reject(error));
    channel.on('close', () => reject(new Error('data channel closed before it opened')));
  });
}

