import type { Source, Window } from './receiverStats.js';
import type { Profile } from './weakCall.js';

/** What one call (scenario × profile) measured at the agent. */
export interface WeakResult {
  scenario: string;
  profile: Profile;
  firstMediaMs: Partial<Record<Source, number>>;
  window: Partial<Record<Source, Window | null>>;
  /** ms from the network coming back to full quality; null = not within the watch; undefined = no drop. */
  recoveryMs: Partial<Record<Source, number | null>>;
  /** Cliff and outage: the last 3 s before the drop ("full quality"). */
  beforeDrop?: Partial<Record<Source, Window | null>>;
  /** Set when the call could not be measured. */
  error?: string;
}

const pad = (s: string, n: number): string => s.padStart(n);
const ms = (v: number | undefined): string => (v === undefined ? '-' : String(Math.round(v)));
const recovery = (v: number | null | undefined, watchS: number): string => (v === undefined ? '' : v === null ? `>${watchS}s` : `${(v / 1000).toFixed(1)}s`);

function videoCells(r: WeakResult, source: Source, watchS: number): string {
  const w = r.window[source];
  return [
    pad(ms(r.firstMediaMs[source]), 6),
    pad(w ? w.fps.toFixed(1) : '-', 5),
    pad(w && w.height > 0 ? `${w.width}x${w.height}` : '-', 9),
    pad(w ? `${w.freezes}/${w.freezeSeconds.toFixed(1)}s` : '-', 9),
    pad(recovery(r.recoveryMs[source], watchS), 6),
  ].join(' ');
}

function audioCells(r: WeakResult, watchS: number): string {
  const w = r.window.mic;
  return [pad(ms(r.firstMediaMs.mic), 6), pad(w ? `${(w.concealment * 100).toFixed(1)}%` : '-', 7), pad(recovery(r.recoveryMs.mic, watchS), 6)].join(' ');
}

/** One line per scenario × profile, camera | screen | audio as the agent received them. */
export function weakTable(results: readonly WeakResult[], watchS: number): string {
  const video = `${pad('ttff', 6)} ${pad('fps', 5)} ${pad('res', 9)} ${pad('freezes', 9)} ${pad('recov', 6)}`;
  const lines = [
    `${''.padEnd(26)}| ${'camera'.padEnd(39)}| ${'screen'.padEnd(39)}| audio`,
    `${'scenario'.padEnd(18)}${'profile'.padEnd(8)}| ${video} | ${video} | ${pad('ttff', 6)} ${pad('conceal', 7)} ${pad('recov', 6)}`,
  ];
  for (const r of results) {
    const head = `${r.scenario.padEnd(18)}${r.profile.padEnd(8)}`;
    if (r.error) lines.push(`${head}| failed: ${r.error}`);
    else lines.push(`${head}| ${videoCells(r, 'camera', watchS)} | ${videoCells(r, 'screen', watchS)} | ${audioCells(r, watchS)}`);
  }
  return lines.join('\n');
}
