import { describe, expect, it } from 'vitest';
import { AudioPlayout, LOSSY_PLAYOUT, type PlayoutReceiver } from './AudioPlayout.js';

/** A receiver whose counters the test advances: `play(n, concealedShare)` adds n samples. */
function fakeReceiver(id = 'mic-1') {
  const counters = { concealed: 0, received: 0 };
  const targets: (number | null)[] = [];
  const receiver: PlayoutReceiver & { play(n: number, share: number): void; targets: (number | null)[] } = {
    id,
    targets,
    samples: async () => ({ ...counters }),
    setTargetMs: (ms) => targets.push(ms),
    play(n, share) {
      counters.received += n;
      counters.concealed += Math.round(n * share);
    },
  };
  return receiver;
}

function setup() {
  let clock = 0;
  const receiver = fakeReceiver();
  const playout = new AudioPlayout(() => [receiver], LOSSY_PLAYOUT, () => clock);
  /** One 2 s reading interval at `share` concealment. */
  const interval = async (share: number): Promise<void> => {
    clock += 2000;
    receiver.play(96_000, share);
    await playout.check();
  };
  return { receiver, playout, interval };
}

describe('AudioPlayout', () => {
  it('holds a deep buffer once audio is being concealed, and only sets it once', async () => {
    const { receiver, playout, interval } = setup();
    await playout.check(); // baseline reading
    await interval(0.005);
    expect(receiver.targets).toEqual([]);
    await interval(0.12);
    await interval(0.08);
    expect(receiver.targets).toEqual([LOSSY_PLAYOUT.targetMs]);
    expect(playout.isLossy('mic-1')).toBe(true);
  });

  it('gives the buffer back only after 30 s of clean audio, not after a clean moment', async () => {
    const { receiver, playout, interval } = setup();
    await playout.check();
    await interval(0.1);
    for (let i = 0; i < 10; i++) await interval(0.002); // 20 s clean
    await interval(0.02); // one rough reading restarts the count (above leave, below enter)
    expect(playout.isLossy('mic-1')).toBe(true);
    for (let i = 0; i < 15; i++) await interval(0.002); // clean: 30 s counted from the first of these
    expect(receiver.targets).toEqual([LOSSY_PLAYOUT.targetMs]);
    await interval(0.002);
    expect(receiver.targets).toEqual([LOSSY_PLAYOUT.targetMs, null]);
    expect(playout.isLossy('mic-1')).toBe(false);
  });

  it('judges nothing while a track receives nothing (muted) and forgets receivers that are gone', async () => {
    let receivers = [fakeReceiver('a')];
    const playout = new AudioPlayout(() => receivers);
    await playout.check();
    await playout.check(); // no samples arrived: no verdict
    expect(receivers[0]!.targets).toEqual([]);
    receivers[0]!.play(1000, 0.5);
    await playout.check();
    expect(playout.isLossy('a')).toBe(true);
    receivers = [];
    await playout.check();
    expect(playout.isLossy('a')).toBe(false);
  });

  it('survives a receiver whose stats cannot be read', async () => {
    const broken: PlayoutReceiver = { id: 'x', samples: () => Promise.reject(new Error('closed')), setTargetMs: () => undefined };
    const playout = new AudioPlayout(() => [broken]);
    await expect(playout.check()).resolves.toBeUndefined();
  });
});
