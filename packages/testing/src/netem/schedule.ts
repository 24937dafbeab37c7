import { TandemError } from '@tandem/protocol';
import type { LinkSettings, ScheduledRun, ScheduleStep } from './types.js';

/**
 * Applies each step's settings at its time (ms from now), in order. Timers are the
 * only clock: a step late by a few ms under load is fine for a network script.
 */
export function runSchedule(target: { set(settings: LinkSettings): void }, steps: readonly ScheduleStep[]): ScheduledRun {
  for (const step of steps) {
    if (!Number.isFinite(step?.atMs) || step.atMs < 0) throw new TandemError('BAD_MESSAGE', `schedule step at ${String(step?.atMs)} ms`);
  }
  const ordered = [...steps].sort((a, b) => a.atMs - b.atMs);
  const timers: NodeJS.Timeout[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  if (ordered.length === 0) finish();
  ordered.forEach((step, i) => {
    timers.push(
      setTimeout(() => {
        target.set(step.settings);
        if (i === ordered.length - 1) finish();
      }, step.atMs),
    );
  });
  return {
    done,
    cancel() {
      timers.forEach(clearTimeout);
      finish();
    },
  };
}
