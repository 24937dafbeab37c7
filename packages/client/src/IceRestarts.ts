/** What the restart watch needs of a mediasoup-client transport. */
export interface RestartableTransport {
  readonly id: string;
  readonly closed: boolean;
  readonly connectionState: string;
  on(event: 'connectionstatechange', listener: (state: string) => void): unknown;
}

export interface IceRestartTiming {
  /** How long a transport may stay 'disconnected' before it is given new ICE credentials. */
  disconnectedGraceMs: number;
  /**
   * After the n-th restart of one outage, how long to wait before the next if the transport
   * is still not connected. Its length bounds the timed restarts per outage.
   */
  retryAfterMs: readonly number[];
}

/**
 * Grace 6 s: Chrome turns a transport 'disconnected' a few seconds into a silence (2.5–7.7 s
 * in the e2e) and heals short blips by itself within ~0.2 s of the path returning, so a blip
 * of up to ~8 s never churns credentials; a real path change (NAT rebinding, Wi-Fi→4G), which
 * Chrome never declares 'failed', is restarted within ~9–14 s.
 * Retries: a restart made while the network is still down leaves Chrome checking pairs that
 * give up within ~2–4 s (measured in the e2e: after a 20 s outage ICE came back only with the
 * first restart after the network did), and nothing pings after that; so how soon media
 * returns after a long outage is bounded by the retry step. 3 s steps for the first ~15 s
 * keep that under ~3 s for outages up to ~25 s, then they back off so a long outage costs
 * a dozen tiny requests in all (about 2.5 min of retries); a resume starts a new round.
 */
export const ICE_RESTART_TIMING: IceRestartTiming = Object.freeze({
  disconnectedGraceMs: 6_000,
  retryAfterMs: Object.freeze([3_000, 3_000, 3_000, 3_000, 3_000, 5_000, 10_000, 10_000, 20_000, 30_000, 30_000, 30_000]),
});

interface Watch {
  transport: RestartableTransport;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When it last left 'connected' (undefined while connected or before it ever connected). */
  downSince: number | undefined;
  /** Restarts since it was last connected. */
  restarts: number;
  inFlight: boolean;
}

/**
 * Gives a transport new ICE credentials when its media path is gone: at once when ICE
 * 'failed', after a grace when it stays 'disconnected' (Chrome gathers continually, so it
 * never declares such a transport failed), and again, with backoff, while it stays down.
 * `restart` asks the server and applies the answer; when it rejects (no socket),
 * `signalingBack` retries.
 */
export class IceRestarts {
  readonly #watches = new Map<string, Watch>();
  #closed = false;

  constructor(
    private readonly restart: (transport: RestartableTransport) => Promise<void>,
    private readonly timing: IceRestartTiming = ICE_RESTART_TIMING,
    private readonly now: () => number = Date.now,
  ) {}

  watch(transport: RestartableTransport): void {
    const watch: Watch = { transport, timer: undefined, downSince: undefined, restarts: 0, inFlight: false };
    this.#watches.set(transport.id, watch);
    transport.on('connectionstatechange', (state) => this.#onState(watch, state));
  }

  /** A new socket took over: a transport down past the grace (its restart may have been lost) restarts now. */
  signalingBack(): void {
    for (const watch of this.#watches.values()) {
      const state = watch.transport.connectionState;
      const downFor = watch.downSince === undefined ? 0 : this.now() - watch.downSince;
      if (state === 'failed' || (state !== 'connected' && downFor >= this.timing.disconnectedGraceMs)) {
        // A sign of life after a long silence earns a fresh round of retries.
        watch.restarts = 0;
        this.#restartNow(watch);
      }
    }
  }

  close(): void {
    this.#closed = true;
    for (const watch of this.#watches.values()) clearTimeout(watch.timer);
    this.#watches.clear();
  }

  #onState(watch: Watch, state: string): void {
    if (this.#closed) return;
    if (state === 'connected') {
      clearTimeout(watch.timer);
      watch.timer = undefined;
      watch.downSince = undefined;
      watch.restarts = 0;
    } else if (state === 'closed') {
      clearTimeout(watch.timer);
      this.#watches.delete(watch.transport.id);
    } else if (state === 'failed') {
      watch.downSince ??= this.now();
      this.#restartNow(watch);
    } else if (state === 'disconnected') {
      watch.downSince ??= this.now();
      // Already counting down (a grace or a retry after a restart): that timer decides.
      watch.timer ??= setTimeout(() => this.#due(watch), this.timing.disconnectedGraceMs);
    }
    // 'new' / 'connecting' (e.g. checking after a restart): the pending timer still stands.
  }

  #due(watch: Watch): void {
    watch.timer = undefined;
    const { transport } = watch;
    if (this.#closed || transport.closed || transport.connectionState === 'connected') return;
    if (watch.inFlight) {
      // The last request still hangs (a half-dead socket): look again later rather than never.
      watch.timer = setTimeout(() => this.#due(watch), this.timing.retryAfterMs[0] ?? this.timing.disconnectedGraceMs);
      return;
    }
    this.#restartNow(watch);
  }

  #restartNow(watch: Watch): void {
    if (this.#closed || watch.transport.closed || watch.inFlight) return;
    clearTimeout(watch.timer);
    watch.timer = undefined;
    watch.restarts += 1;
    watch.inFlight = true;
    void this.restart(watch.transport)
      .catch(() => undefined) // no socket or a closed transport: signalingBack or the next retry covers it
      .finally(() => (watch.inFlight = false));
    const next = this.timing.retryAfterMs[watch.restarts - 1];
    if (next !== undefined) watch.timer = setTimeout(() => this.#due(watch), next);
  }
}
