import { RoomError, type ReconnectPolicy, type RoomErrorReason } from './RoomTypes.js';

export interface BackoffOptions {
  /** Delay before the first attempt. */
  initialDelayMs?: number;
  /** Delays double up to this ceiling. */
  maxDelayMs?: number;
  /** Stop retrying once this long has passed since the drop. */
  giveUpAfterMs?: number;
}

/**
 * Exponential backoff, 300 ms doubling to 5 s, for at most 60 s: a Wi-Fi blip or a server
 * restart is bridged, a dead network is reported within a minute.
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly giveUpAfterMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 300;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
  }

  nextRetryDelayMs(attempt: number, elapsedMs: number): number | null {
    if (!Number.isFinite(attempt) || attempt < 1 || !(elapsedMs >= 0)) return null;
    const remaining = this.giveUpAfterMs - elapsedMs;
    if (remaining <= 0) return null;
    const delay = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (attempt - 1));
    // The last attempt happens at the deadline, not after it.
    return Math.min(delay, remaining);
  }
}

/** Errors a retry cannot fix: reconnecting stops at once on these. */
const FATAL: ReadonlySet<RoomErrorReason> = new Set<RoomErrorReason>([
  'UNAUTHORIZED', 'BAD_CREDENTIALS', 'FORBIDDEN', 'SESSION_ENDED', 'VERSION_MISMATCH',
  'CODE_EXPIRED', 'CODE_UNKNOWN', 'NOT_FOUND', 'BAD_PARAMS', 'MEDIA_UNSUPPORTED',
]);

/**
 * Runs `attempt` on the policy's schedule until it succeeds. Resolves null when connected
 * or `cancelled()`, else with the error that ended the retries.
 */
export async function reconnectOnSchedule(
  policy: ReconnectPolicy,
  attempt: () => Promise<void>,
  cancelled: () => boolean,
  /** The server told us to reconnect (the call moved): try once at once, then follow the policy. */
  firstAttemptNow = false,
): Promise<RoomError | null> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    const delay = firstAttemptNow ? (n === 1 ? 0 : policy.nextRetryDelayMs(n - 1, Date.now() - started)) : policy.nextRetryDelayMs(n, Date.now() - started);
    if (delay === null) {
      return new RoomError('CONNECTION_LOST', `could not reconnect within ${Math.round((Date.now() - started) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (cancelled()) return null;
    try {
      await attempt();
      return null;
    } catch (error) {
      if (cancelled()) return null;
      if (error instanceof RoomError && FATAL.has(error.reason)) return error;
    }
  }
}
