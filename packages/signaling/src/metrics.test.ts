import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

async function iceRestarts(text: Promise<string>): Promise<number> {
  const line = (await text).split('\n').find((l) => l.startsWith('tandem_ice_restarts_total '));
  return Number(line?.split(' ')[1]);
}

describe('signaling metrics', () => {
  it('counts the ICE restarts served, not the refused ones nor other requests', async () => {
    const metrics = createMetrics(() => [], () => true);
    expect(await iceRestarts(metrics.registry.metrics())).toBe(0);
    metrics.requests.inc({ method: 'restartIce', outcome: 'ok' });
    metrics.requests.inc({ method: 'restartIce', outcome: 'ok' });
    metrics.requests.inc({ method: 'restartIce', outcome: 'FORBIDDEN' });
    metrics.requests.inc({ method: 'join', outcome: 'ok' });
    expect(await iceRestarts(metrics.registry.metrics())).toBe(2);
    metrics.requests.inc({ method: 'restartIce', outcome: 'ok' });
    expect(await iceRestarts(metrics.registry.metrics())).toBe(3);
  });
});
