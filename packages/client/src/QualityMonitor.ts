import { assessQuality, isWorse, sameVerdict, type ConnectionQuality, type QualitySample } from './ConnectionQuality.js';

export interface QualityMonitorOptions {
  /** Takes one reading of the stats; null while there is nothing to read. */
  read: () => Promise<QualitySample | null>;
  /** The verdict (level or reasons) changed. */
  changed: (quality: ConnectionQuality) => void;
  /** ms between readings; 0 polls only on `refresh()`. */
  intervalMs?: number;
}

/** Every 2 s: frequent enough to follow a network change, rare enough that getStats is no load. */
export const DEFAULT_QUALITY_INTERVAL_MS = 2_000;
const MIN_SPAN_MS = 1_000;

/**
 * Polls the stats, judges each interval and reports the verdict only when it changes.
 * A worse verdict shows at once; a better level only after two readings in a row agree,
 * so a link hovering at a threshold does not make the indicator flicker.
 */
export class QualityMonitor {
  #current: ConnectionQuality | null = null;
  #previous: QualitySample | null = null;
  #betterSeen = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;
  #stopped = false;
  readonly #options: QualityMonitorOptions;

  constructor(options: QualityMonitorOptions) {
    this.#options = options;
  }

  /** The last verdict shown (figures of the last reading that changed it). */
  get current(): ConnectionQuality | null {
    return this.#current;
  }

  start(): void {
    const interval = this.#options.intervalMs ?? DEFAULT_QUALITY_INTERVAL_MS;
    if (this.#stopped || this.#timer || interval <= 0) return;
    this.#timer = setInterval(() => void this.refresh(), interval);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes a reading now (also on room state changes, so a drop shows without waiting). */
  async refresh(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const sample = await this.#options.read().catch(() => null);
      if (!sample || this.#stopped) return;
      // A reading right after another (a state change) has no interval to judge rates by:
      // it may only report something worse, such as a drop.
      const tooSoon = this.#previous !== null && sample.at - this.#previous.at < MIN_SPAN_MS;
      const next = assessQuality(sample, tooSoon ? null : this.#previous);
      if (tooSoon) {
        if (this.#current && isWorse(next.level, this.#current.level)) this.#show(next);
        return;
      }
      this.#previous = sample;
      this.#judge(next);
    } finally {
      this.#busy = false;
    }
  }

  #judge(next: ConnectionQuality): void {
    const shown = this.#current;
    if (sameVerdict(shown, next)) {
      this.#betterSeen = false;
      return;
    }
    if (shown && isWorse(shown.level, next.level)) {
      // Better: only once it holds for a second reading.
      if (!this.#betterSeen) {
        this.#betterSeen = true;
        return;
      }
    }
    this.#show(next);
  }

  #show(quality: ConnectionQuality): void {
    this.#betterSeen = false;
    this.#current = quality;
    this.#options.changed(quality);
  }
}
