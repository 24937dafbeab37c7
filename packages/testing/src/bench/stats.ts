/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Row {
  metric: string;
  sample: number[];
}

export function table(title: string, rows: Row[]): string {
  const lines = [title, `${'metric'.padEnd(44)}${'runs'.padStart(6)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'max ms'.padStart(10)}`];
  for (const { metric, sample } of rows) {
    const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-').padStart(10);
    lines.push(`${metric.padEnd(44)}${String(sample.length).padStart(6)}${f(percentile(sample, 50))}${f(percentile(sample, 95))}${f(Math.max(...sample))}`);
  }
  return lines.join('\n');
}
