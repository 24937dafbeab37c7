import { describe, expect, it } from 'vitest';
import { DefaultReconnectPolicy, reconnectOnSchedule } from './ReconnectPolicy.js';

/** Plays the policy the way the Room does: wait the delay, fail, ask again. */
function schedule(policy: DefaultReconnectPolicy): number[] {
  const delays: number[] = [];
  let elapsed = 0;
  for (let attempt = 1; attempt < 1_000; attempt++) {
    const delay = policy.nextRetryDelayMs(attempt, elapsed);
    if (delay === null) return delays;
    delays.push(delay);
    elapsed += delay;
  }
  throw new Error('the policy never gave up');
}

describe('DefaultReconnectPolicy', () => {
  it('starts at 300 ms and doubles up to a 5 s ceiling', () => {
    const delays = schedule(new DefaultReconnectPolicy());
    expect(delays.slice(0, 7)).toEqual([300, 600, 1200, 2400, 4800, 5000, 5000]);
    expect(Math.max(...delays)).toBe(5000);
  });

  it('gives up once 60 s have passed, retrying right up to the deadline', () => {
    const policy = new DefaultReconnectPolicy();
    const delays = schedule(policy);
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBe(60_000);
    expect(policy.nextRetryDelayMs(delays.length + 1, 60_000)).toBeNull();
    expect(policy.nextRetryDelayMs(3, 59_900)).toBe(100);
    expect(policy.nextRetryDelayMs(1, 61_000)).toBeNull();
  });

  it('follows custom bounds', () => {
    const delays = schedule(new DefaultReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 250, giveUpAfterMs: 1_000 }));
    expect(delays).toEqual([100, 200, 250, 250, 200]);
  });

  it('gives up on nonsense input instead of returning a bad delay', () => {
    const policy = new DefaultReconnectPolicy();
    expect(policy.nextRetryDelayMs(0, 0)).toBeNull();
    expect(policy.nextRetryDelayMs(Number.NaN, 0)).toBeNull();
    expect(policy.nextRetryDelayMs(1, Number.NaN)).toBeNull();
  });
});

describe('reconnectOnSchedule', () => {
  it('tries at once when told the call moved, then falls back to the policy from its first delay', async () => {
    const policy = new DefaultReconnectPolicy({ initialDelayMs: 40, maxDelayMs: 40, giveUpAfterMs: 5_000 });
    const at: number[] = [];
    const started = Date.now();
    const failure = await reconnectOnSchedule(
      policy,
      async () => {
        at.push(Date.now() - started);
        if (at.length < 2) throw new Error('not yet');
      },
      () => false,
      true,
    );
    expect(failure).toBeNull();
    expect(at[0]).toBeLessThan(20); // no backoff before the first attempt
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(35); // then the policy's first delay
  });
});
