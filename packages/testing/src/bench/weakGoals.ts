import type { WeakResult } from './weakTable.js';

const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'MET' : 'NOT MET');

/** The goals issue 4 names, judged per profile from the table's own figures. */
export function weakGoals(results: readonly WeakResult[]): string {
  const lines = ['Goals (issue 4):'];
  const row = (scenario: string, profile: string): WeakResult | undefined =>
    results.find((r) => r.scenario.startsWith(scenario) && r.profile === profile && !r.error);
  for (const profile of ['tandem', 'plain']) {
    const lossy = row('30%', profile)?.window.mic;
    lines.push(`  ${profile.padEnd(7)} audio concealment < 10 % at 30 % loss: ${verdict(lossy ? lossy.concealment < 0.1 : null)}${lossy ? ` (${(lossy.concealment * 100).toFixed(1)} %)` : ''}`);
    const cliffRow = row('cliff', profile);
    const cliff = cliffRow?.window.screen;
    // Kept = as many lines at 300 kbps as the same call had at 2 Mbps just before.
    const before = cliffRow?.beforeDrop?.screen;
    lines.push(
      `  ${profile.padEnd(7)} screen resolution kept at 300 kbps: ${verdict(cliff && before ? cliff.height >= before.height : null)}` +
        (cliff && before ? ` (${cliff.width}x${cliff.height} at ${cliff.fps.toFixed(1)} fps vs ${before.width}x${before.height} at ${before.fps.toFixed(1)} fps at 2 Mbps)` : ''),
    );
    const recoveries = ['cliff', 'outage'].flatMap((s) => {
      const r = row(s, profile);
      return r ? Object.entries(r.recoveryMs).map(([source, ms]) => ({ what: `${s} ${source}`, ms })) : [];
    });
    const worst = recoveries.reduce<{ what: string; ms: number | null | undefined } | null>(
      (w, r) => (w === null || r.ms === null || (w.ms !== null && (r.ms ?? 0) > (w.ms ?? 0)) ? r : w),
      null,
    );
    const ok = recoveries.length === 0 ? null : recoveries.every((r) => r.ms !== null && r.ms !== undefined && r.ms <= 5000);
    lines.push(`  ${profile.padEnd(7)} recovery within 5 s: ${verdict(ok)}${worst ? ` (slowest: ${worst.what} ${worst.ms === null ? 'never' : `${((worst.ms ?? 0) / 1000).toFixed(1)} s`})` : ''}`);
  }
  return lines.join('\n');
}
