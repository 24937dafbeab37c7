import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IceRestarts, type IceRestartTiming, type RestartableTransport } from './IceRestarts.js';

/** A transport whose connection state the test drives, as Chrome would. */
class FakeTransport implements RestartableTransport {
  closed = false;
  connectionState = 'new';
  #listeners: Array<(state: string) => void> = [];
  constructor(readonly id: string) {}
  on(_event: 'connectionstatechange', listener: (state: string) => void): void {
    this.#listeners.push(listener);
  }
  set(state: string): void {
    this.connectionState = state;
    for (const listener of this.#listeners) listener(state);
  }
}

const TIMING: IceRestartTiming = { disconnectedGraceMs: 6_000, retryAfterMs: [5_000, 10_000] };

describe('IceRestarts', () => {
  let restarts: string[];
  let fail: boolean;
  let watcher: IceRestarts;
  let transport: FakeTransport;

  beforeEach(() => {
    vi.useFakeTimers();
    restarts = [];
    fail = false;
    watcher = new IceRestarts(
      async (t) => {
        restarts.push(t.id);
        if (fail) throw new Error('no socket');
      },
      TIMING,
      () => Date.now(),
    );
    transport = new FakeTransport('send');
    watcher.watch(transport);
    transport.set('connecting');
    transport.set('connected');
  });
  afterEach(() => {
    watcher.close();
    vi.useRealTimers();
  });

  it('lets a short blip heal by itself', async () => {
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(5_900);
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(restarts).toEqual([]);
  });

  it('restarts a transport disconnected past the grace, then again with backoff, a bounded number of times', async () => {
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(5_999);
    expect(restarts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(restarts).toEqual(['send']);
    transport.set('connecting'); // checking with the new credentials, the network still down
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(restarts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(restarts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(restarts).toHaveLength(3);
    // Retries spent: no more timed restarts however long it stays down.
    await vi.advanceTimersByTimeAsync(600_000);
    expect(restarts).toHaveLength(3);
  });

  it('stops retrying once connected, and a later outage gets a fresh round', async () => {
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(6_000);
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(restarts).toHaveLength(1);
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(6_000 + 5_000 + 10_000);
    expect(restarts).toHaveLength(4);
  });

  it('restarts at once when ICE fails', async () => {
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(restarts).toEqual(['send']);
  });

  it('retries a restart that could not be asked for once the socket is back', async () => {
    fail = true;
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(restarts).toHaveLength(1);
    fail = false;
    watcher.signalingBack();
    await vi.advanceTimersByTimeAsync(0);
    expect(restarts).toHaveLength(2);
  });

  it('does not restart a merely disconnected transport on a resume before the grace is up', async () => {
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(2_000);
    watcher.signalingBack();
    await vi.advanceTimersByTimeAsync(0);
    expect(restarts).toEqual([]);
  });

  it('never asks twice at once, and looks again when a request hangs', async () => {
    let release: () => void = () => undefined;
    const hanging = new IceRestarts(
      (t) => {
        restarts.push(t.id);
        return new Promise<void>((resolve) => (release = resolve));
      },
      TIMING,
    );
    const recv = new FakeTransport('recv');
    hanging.watch(recv);
    recv.set('connected');
    recv.set('failed');
    recv.set('disconnected');
    recv.set('failed');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(restarts).toEqual(['recv']);
    release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(restarts).toEqual(['recv', 'recv']);
    hanging.close();
  });

  it('forgets closed transports and does nothing once closed', async () => {
    transport.set('disconnected');
    watcher.close();
    await vi.advanceTimersByTimeAsync(60_000);
    transport.set('failed');
    expect(restarts).toEqual([]);
  });
});
