import { describe, expect, it } from 'vitest';
import { judgeNetwork, pingFigures, uploadFigure, WEAK_NETWORK, type NetworkFigures } from './NetworkTest.js';

const clean: NetworkFigures = {
  reachable: { udp: true, tcp: true, relay: null },
  via: 'udp',
  rttMs: 3,
  lossPercent: 0,
  uploadKbps: 3900,
};

describe('judgeNetwork: the verdict from the figures', () => {
  it('calls a clean, fast network good for video', () => {
    expect(judgeNetwork(clean)).toEqual({ verdict: 'good', weaknesses: [] });
  });

  it('calls a lossy network weak, naming the loss', () => {
    expect(judgeNetwork({ ...clean, lossPercent: 51 })).toEqual({ verdict: 'weak', weaknesses: ['loss'] });
    expect(judgeNetwork({ ...clean, lossPercent: WEAK_NETWORK.lossPercent - 0.1 }).verdict).toBe('good');
    expect(judgeNetwork({ ...clean, lossPercent: WEAK_NETWORK.lossPercent }).verdict).toBe('weak');
  });

  it('names every weakness: delay, low upload, no UDP', () => {
    const slow = { ...clean, rttMs: 650, uploadKbps: 250, reachable: { udp: false, tcp: true, relay: null }, via: 'tcp' as const };
    expect(judgeNetwork(slow)).toEqual({ verdict: 'weak', weaknesses: ['delay', 'upload', 'no-udp'] });
  });

  it('treats a connected path that echoed nothing as total loss, not as good', () => {
    expect(judgeNetwork({ ...clean, rttMs: null, lossPercent: 100, uploadKbps: null }).verdict).toBe('weak');
  });

  it('says blocked when no way through connected, and unknown when none was tried', () => {
    const none = { reachable: { udp: false, tcp: false, relay: false }, via: null, rttMs: null, lossPercent: null, uploadKbps: null };
    expect(judgeNetwork(none).verdict).toBe('blocked');
    expect(judgeNetwork({ ...none, reachable: { udp: null, tcp: null, relay: null } }).verdict).toBe('unknown');
  });

  it('judges a relay-only network on its figures (TURN works fine for video)', () => {
    expect(judgeNetwork({ ...clean, reachable: { udp: false, tcp: false, relay: true }, via: 'relay' }).weaknesses).toEqual(['no-udp']);
  });
});

describe('pingFigures and uploadFigure', () => {
  it('takes the median round trip and the share of pings never echoed', () => {
    expect(pingFigures(4, [10, 30, 20])).toEqual({ rttMs: 20, lossPercent: 25 });
    expect(pingFigures(25, [5, 7])).toEqual({ rttMs: 6, lossPercent: 92 });
    expect(pingFigures(10, [])).toEqual({ rttMs: null, lossPercent: 100 });
    expect(pingFigures(0, [])).toEqual({ rttMs: null, lossPercent: null });
  });

  it('turns echoed bytes over time into kbit/s, and nothing into no figure', () => {
    expect(uploadFigure(500_000, 1000)).toBe(4000);
    expect(uploadFigure(0, 1000)).toBeNull();
    expect(uploadFigure(1000, 0)).toBeNull();
  });
});
