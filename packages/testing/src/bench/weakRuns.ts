import type { Source, Window } from './receiverStats.js';
import type { WeakResult } from './weakTable.js';

const SOURCES: Source[] = ['camera', 'screen', 'mic'];

/** Middle value (lower middle for an even count); null sorts last, so "never recovered" wins only a majority. */
function median<T extends number | null>(values: readonly T[]): T | undefined {
  const sorted = [...values].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function medianWindow(windows: readonly (Window | null | undefined)[]): Window | null {
  const ws = windows.filter((w): w is Window => !!w);
  if (ws.length === 0) return null;
  const of = (k: keyof Window): number => median(ws.map((w) => w[k]))!;
  // The size is the median run's size, not a width from one run and a height from another.
  const bySize = [...ws].sort((a, b) => a.height - b.height)[Math.floor((ws.length - 1) / 2)]!;
  return { fps: of('fps'), height: bySize.height, width: bySize.width, freezes: of('freezes'), freezeSeconds: of('freezeSeconds'), concealment: of('concealment') };
}

/**
 * One row per scenario × profile from several runs of it: each figure is the median of
 * the runs that measured it (a failed run counts in `failedRuns`, not in the figures).
 */
export function medianOfRuns(runs: readonly WeakResult[]): WeakResult & { runs: number; failedRuns: number } {
  const first = runs[0]!;
  const ok = runs.filter((r) => !r.error);
  const base = { scenario: first.scenario, profile: first.profile, runs: runs.length, failedRuns: runs.length - ok.length };
  if (ok.length === 0) return { ...base, firstMediaMs: {}, window: {}, recoveryMs: {}, error: first.error };
  const result: WeakResult & { runs: number; failedRuns: number } = { ...base, firstMediaMs: {}, window: {}, recoveryMs: {} };
  for (const source of SOURCES) {
    const ttff = ok.map((r) => r.firstMediaMs[source]).filter((v): v is number => v !== undefined);
    if (ttff.length > 0) result.firstMediaMs[source] = median(ttff);
    result.window[source] = medianWindow(ok.map((r) => r.window[source]));
    const recoveries = ok.map((r) => r.recoveryMs[source]).filter((v): v is number | null => v !== undefined);
    if (recoveries.length > 0) result.recoveryMs[source] = median(recoveries) ?? null;
  }
  if (ok.some((r) => r.beforeDrop)) {
    result.beforeDrop = Object.fromEntries(SOURCES.map((s) => [s, medianWindow(ok.map((r) => r.beforeDrop?.[s]))]));
  }
  return result;
}
