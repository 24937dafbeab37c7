import { TandemError } from '@tandem/protocol';
import type { Impairment } from '../netem/index.js';
import type { Profile } from './weakCall.js';

/**
 * The weak networks of issue 4, applied to the customer's upload (client → SFU). A delay
 * on the upload alone is the call's round trip, so "30 %/300 ms" is 300 ms RTT.
 */
export interface WeakScenario {
  name: string;
  /** The upload from the moment the customer opens the link. */
  initial: Partial<Impairment>;
  /**
   * Cliff and outage: after the call settles on `initial`, `drop` for `dropMs`, then
   * `initial` again; recovery is timed from that moment.
   */
  drop?: { impairment: Partial<Impairment>; dropMs: number };
  /** Which phase the fps/resolution/freeze/concealment figures describe. */
  measure: 'whole' | 'drop' | 'drop+recovery';
}

export const WEAK_SCENARIOS: readonly WeakScenario[] = [
  { name: 'clean', initial: {}, measure: 'whole' },
  { name: '5%/100ms', initial: { loss: 0.05, delayMs: 100 }, measure: 'whole' },
  { name: '20%/150ms/500k', initial: { loss: 0.2, delayMs: 150, rateKbps: 500 }, measure: 'whole' },
  { name: '30%/300ms', initial: { loss: 0.3, delayMs: 300 }, measure: 'whole' },
  { name: 'cliff 2M>300k>2M', initial: { rateKbps: 2000 }, drop: { impairment: { rateKbps: 300 }, dropMs: 12_000 }, measure: 'drop' },
  { name: 'outage 5s', initial: {}, drop: { impairment: { outage: true }, dropMs: 5_000 }, measure: 'drop+recovery' },
];

/** BENCH_WEAK_SCENARIOS="clean,outage" (names or name prefixes); all when unset. */
export function chosenScenarios(filter: string | undefined): WeakScenario[] {
  if (!filter?.trim()) return [...WEAK_SCENARIOS];
  const wanted = filter.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const chosen = WEAK_SCENARIOS.filter((s) => wanted.some((w) => s.name.toLowerCase().startsWith(w)));
  if (chosen.length === 0) {
    throw new TandemError('BAD_PARAMS', `BENCH_WEAK_SCENARIOS=${filter} names none of: ${WEAK_SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return chosen;
}

/** BENCH_WEAK_PROFILES="tandem" (default both, Tandem first). */
export function chosenProfiles(filter: string | undefined): Profile[] {
  if (!filter?.trim()) return ['tandem', 'plain'];
  const wanted = filter.split(',').map((s) => s.trim());
  const bad = wanted.filter((w) => w !== 'tandem' && w !== 'plain');
  if (bad.length > 0 || wanted.length === 0) throw new TandemError('BAD_PARAMS', `BENCH_WEAK_PROFILES=${filter}: profiles are tandem and plain`);
  return [...new Set(wanted)] as Profile[];
}

/** A positive number from the environment, or the default. */
export function envSeconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}
