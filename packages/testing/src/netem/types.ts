/**
 * The shape of a weak network, per direction. Every field is optional in `set()`:
 * what is not named keeps its current value, so a test can switch an outage on and
 * off without repeating the loss and delay it set before.
 */
export interface Impairment {
  /** Probability a datagram is lost, 0..1. Ignored for TCP (TCP would retransmit it). */
  loss: number;
  /** One-way delay added to every packet, ms. */
  delayMs: number;
  /** Uniform extra delay in [-jitterMs, +jitterMs], ms (never below 0 in total). */
  jitterMs: number;
  /** Let jitter reorder packets; otherwise each packet waits for the one before it. UDP only. */
  reorder: boolean;
  /** Bottleneck rate, kbit/s; 0 = unlimited. */
  rateKbps: number;
  /** Queue in front of the bottleneck, bytes; a datagram that does not fit is tail-dropped. 0 = 250 ms worth of the rate. */
  queueBytes: number;
  /** Burst the token bucket allows, bytes; 0 = one full-size packet (1500). */
  burstBytes: number;
  /** Nothing gets through. UDP drops; TCP stalls or resets (see tcpOutage). */
  outage: boolean;
  /**
   * What a TCP outage does: 'stall' holds the bytes (like a dead link TCP keeps
   * retransmitting over), 'reset' closes every connection and refuses new ones.
   */
  tcpOutage: 'stall' | 'reset';
}

/** Up = client → server, down = server → client. */
export interface LinkSettings {
  up?: Partial<Impairment>;
  down?: Partial<Impairment>;
}

export const CLEAN: Readonly<Impairment> = Object.freeze({
  loss: 0,
  delayMs: 0,
  jitterMs: 0,
  reorder: false,
  rateKbps: 0,
  queueBytes: 0,
  burstBytes: 0,
  outage: false,
  tcpOutage: 'stall',
});

/** A clean link both ways: pass to set() to undo every impairment. */
export const CLEAN_LINK: Readonly<Required<LinkSettings>> = Object.freeze({ up: CLEAN, down: CLEAN });

/** What one direction saw. Packets are datagrams for UDP, chunks for TCP. */
export interface PathCounters {
  packetsIn: number;
  packetsOut: number;
  packetsDropped: number;
  bytesIn: number;
  bytesOut: number;
  bytesDropped: number;
  /** Why they were dropped. */
  droppedByLoss: number;
  droppedByQueue: number;
  droppedByOutage: number;
}

export interface LinkCounters {
  up: PathCounters;
  down: PathCounters;
}

/** One step of a scripted network: at `atMs` after schedule() was called, apply `settings`. */
export interface ScheduleStep {
  atMs: number;
  settings: LinkSettings;
}

/** A running script; `done` resolves after its last step. */
export interface ScheduledRun {
  done: Promise<void>;
  cancel(): void;
}
