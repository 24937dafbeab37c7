import { describe, expect, it } from 'vitest';
import type { Window } from './receiverStats.js';
import { medianOfRuns } from './weakRuns.js';
import type { WeakResult } from './weakTable.js';

const win = (fps: number, height: number, concealment = 0): Window => ({ fps, height, width: (height * 16) / 9, freezes: 0, freezeSeconds: 0, concealment });
const run = (fps: number, height: number, recovery: number | null, conceal = 0): WeakResult => ({
  scenario: 'cliff',
  profile: 'tandem',
  firstMediaMs: { camera: fps * 100 },
  window: { camera: win(fps, height), mic: win(0, 0, conceal) },
  recoveryMs: { camera: recovery },
});

describe('medianOfRuns', () => {
  it('takes each figure from the middle run, keeping a size from one run', () => {
    const m = medianOfRuns([run(10, 720, 900, 0.3), run(2, 180, 5000, 0.1), run(6, 360, 1200, 0.2)]);
    expect(m.window.camera).toMatchObject({ fps: 6, height: 360, width: 640 });
    expect(m.window.mic?.concealment).toBe(0.2);
    expect(m.recoveryMs.camera).toBe(1200);
    expect(m.firstMediaMs.camera).toBe(600);
    expect(m.runs).toBe(3);
  });

  it('reports "never recovered" only when most runs never did', () => {
    expect(medianOfRuns([run(5, 360, null), run(5, 360, 800), run(5, 360, 900)]).recoveryMs.camera).toBe(900);
    expect(medianOfRuns([run(5, 360, null), run(5, 360, null), run(5, 360, 900)]).recoveryMs.camera).toBeNull();
  });

  it('leaves failed runs out of the figures and counts them', () => {
    const failed: WeakResult = { scenario: 'cliff', profile: 'tandem', firstMediaMs: {}, window: {}, recoveryMs: {}, error: 'timeout' };
    const m = medianOfRuns([failed, run(4, 360, 700), run(8, 720, 500)]);
    expect(m.failedRuns).toBe(1);
    expect(m.window.camera?.fps).toBe(4);
    expect(m.error).toBeUndefined();
    expect(medianOfRuns([failed]).error).toBe('timeout');
  });
});
