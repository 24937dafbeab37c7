import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { TandemError } from '@tandem/protocol';
import { UdpImpairmentProxy } from './UdpImpairmentProxy.js';
import type { LinkSettings } from './types.js';

/**
 * Plain UDP through the proxy: a client on 127.0.0.1 sends numbered, timestamped
 * datagrams to 127.0.0.2:P; a server on 127.0.0.1:T records what arrives and when.
 */
interface Arrival {
  seq: number;
  sentAt: number;
  at: number;
  bytes: number;
}

const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function bound(host: string): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  open.push({ close: () => new Promise<void>((r) => socket.close(() => r())) });
  return socket;
}

async function rig(seed: number, settings: LinkSettings, echo = false) {
  const server = await bound('127.0.0.1');
  const arrivals: Arrival[] = [];
  server.on('message', (msg, from) => {
    arrivals.push({ seq: msg.readUInt32BE(0), sentAt: msg.readDoubleBE(4), at: performance.now(), bytes: msg.length });
    if (echo) server.send(msg, from.port, from.address);
  });
  const proxy = await UdpImpairmentProxy.start({ listenHost: '127.0.0.2', listenPort: 0, targetHost: '127.0.0.1', targetPort: server.address().port, seed, settings });
  open.push(proxy);
  const client = await bound('127.0.0.1');
  const echoes: Arrival[] = [];
  client.on('message', (msg) => echoes.push({ seq: msg.readUInt32BE(0), sentAt: msg.readDoubleBE(4), at: performance.now(), bytes: msg.length }));
  const send = (seq: number, size = 100): void => {
    const msg = Buffer.alloc(size);
    msg.writeUInt32BE(seq, 0);
    msg.writeDoubleBE(performance.now(), 4);
    client.send(msg, proxy.port, '127.0.0.2');
  };
  return { proxy, arrivals, echoes, send };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sends `count` datagrams in bursts of 25, each only once the previous one went all
 * the way through: a busy machine must not overflow a socket buffer and add losses
 * of its own to the proxy's.
 */
async function sendPaced(rigged: Awaited<ReturnType<typeof rig>>, count: number): Promise<void> {
  const settled = (): boolean => {
    const { up } = rigged.proxy.counters();
    return up.packetsIn === sent && rigged.arrivals.length === up.packetsOut;
  };
  let sent = 0;
  while (sent < count) {
    for (let i = 0; i < 25 && sent < count; i += 1) rigged.send(sent++);
    const deadline = Date.now() + 5000;
    while (!settled() && Date.now() < deadline) await sleep(1);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('UdpImpairmentProxy', () => {
  it('loses 20 % ± 3 points of 3000 datagrams, and exactly the same ones for the same seed', async () => {
    const lostWith = async (seed: number): Promise<{ lost: number[]; dropped: number }> => {
      const rigged = await rig(seed, { up: { loss: 0.2 } });
      const { proxy, arrivals } = rigged;
      await sendPaced(rigged, 3000);
      const got = new Set(arrivals.map((a) => a.seq));
      const lost = Array.from({ length: 3000 }, (_, i) => i).filter((i) => !got.has(i));
      const { up } = proxy.counters();
      expect(up.packetsIn).toBe(3000);
      expect(up.packetsOut).toBe(arrivals.length);
      expect(up.droppedByLoss).toBe(lost.length); // nothing lost outside the proxy
      return { lost, dropped: up.packetsDropped };
    };
    const first = await lostWith(42);
    const rate = first.lost.length / 3000;
    expect(rate).toBeGreaterThanOrEqual(0.17);
    expect(rate).toBeLessThanOrEqual(0.23);
    const again = await lostWith(42);
    expect(again.lost).toEqual(first.lost);
    expect(again.dropped).toBe(first.dropped);
    console.info(`[netem] seed 42: ${first.lost.length}/3000 lost (${(rate * 100).toFixed(1)} %)`);
    const other = await lostWith(43);
    expect(other.lost).not.toEqual(first.lost);
  });

  const delaysThrough = async (settings: LinkSettings): Promise<{ delays: number[]; order: number[] }> => {
    const { arrivals, send } = await rig(7, settings);
    for (let seq = 0; seq < 200; seq += 1) {
      send(seq);
      await sleep(5);
    }
    await sleep(250);
    expect(arrivals).toHaveLength(200);
    return { delays: arrivals.map((a) => a.at - a.sentAt), order: arrivals.map((a) => a.seq) };
  };
  const inOrder = (order: number[]): boolean => order.every((seq, i) => i === 0 || seq > order[i - 1]!);

  it('delays each datagram by the configured time, p50 within 10 ms', async () => {
    const { delays } = await delaysThrough({ up: { delayMs: 100 } });
    console.info(`[netem] 100 ms delay: p50 ${median(delays).toFixed(1)} ms`);
    expect(Math.abs(median(delays) - 100)).toBeLessThanOrEqual(10);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(99);
  });

  it('spreads delays with jitter around the same p50, reordering only when asked', async () => {
    const reordered = await delaysThrough({ up: { delayMs: 100, jitterMs: 30, reorder: true } });
    expect(Math.abs(median(reordered.delays) - 100)).toBeLessThanOrEqual(10);
    expect(Math.max(...reordered.delays) - Math.min(...reordered.delays)).toBeGreaterThan(40);
    expect(inOrder(reordered.order)).toBe(false); // 5 ms apart, ±30 ms: some overtake
    const ordered = await delaysThrough({ up: { delayMs: 100, jitterMs: 30 } });
    expect(Math.max(...ordered.delays) - Math.min(...ordered.delays)).toBeGreaterThan(20);
    expect(inOrder(ordered.order)).toBe(true);
  });

  it('delays the replies (down) independently of the requests (up)', async () => {
    const { echoes, send } = await rig(7, { up: { delayMs: 0 }, down: { delayMs: 60 } }, true);
    for (let seq = 0; seq < 50; seq += 1) {
      send(seq);
      await sleep(10);
    }
    await sleep(200);
    expect(echoes).toHaveLength(50);
    expect(Math.abs(median(echoes.map((e) => e.at - e.sentAt)) - 60)).toBeLessThanOrEqual(10);
  });

  it('holds a 500 kbps rate limit within 15 % when offered twice that, dropping the excess at the tail', async () => {
    const { proxy, arrivals, send } = await rig(3, { up: { rateKbps: 500 } });
    const started = performance.now();
    let seq = 0;
    // 1200-byte datagrams, one per 10 ms (~960 kbps offered) for 3 s, catching up when timers run late.
    while (performance.now() - started < 3000) {
      while (seq < (performance.now() - started) / 10) send(seq++, 1200);
      await sleep(5);
    }
    await sleep(400);
    const window = arrivals.filter((a) => a.at - started >= 500 && a.at - started < 2500);
    const kbps = (window.reduce((sum, a) => sum + a.bytes, 0) * 8) / 2000;
    console.info(`[netem] 500 kbps limit: ${kbps.toFixed(0)} kbps delivered, ${proxy.counters().up.droppedByQueue} tail drops`);
    expect(kbps).toBeGreaterThan(500 * 0.85);
    expect(kbps).toBeLessThan(500 * 1.15);
    expect(proxy.counters().up.droppedByQueue).toBeGreaterThan(0);
  });

  it('drops everything during an outage, then lets traffic through again', async () => {
    const { proxy, arrivals, send } = await rig(5, {});
    const run = proxy.schedule([
      { atMs: 300, settings: { up: { outage: true } } },
      { atMs: 800, settings: { up: { outage: false } } },
    ]);
    const started = performance.now();
    let seq = 0;
    while (performance.now() - started < 1200) {
      send(seq++);
      await sleep(10);
    }
    await run.done;
    await sleep(100);
    const sentAt = (a: Arrival): number => a.sentAt - started;
    expect(arrivals.filter((a) => sentAt(a) > 320 && sentAt(a) < 780)).toHaveLength(0);
    expect(arrivals.filter((a) => sentAt(a) < 280).length).toBeGreaterThan(10);
    expect(arrivals.filter((a) => sentAt(a) > 820).length).toBeGreaterThan(10);
    expect(proxy.counters().up.droppedByOutage).toBeGreaterThan(20);
  });

  it('rejects impossible settings with a TandemError and keeps the ones it had', async () => {
    const { proxy } = await rig(1, { up: { delayMs: 5 } });
    expect(() => proxy.set({ up: { loss: 2 } })).toThrow(TandemError);
    expect(() => proxy.set({ down: { rateKbps: -1 } })).toThrow(TandemError);
    expect(() => proxy.set({ up: { tcpOutage: 'maybe' as 'stall' } })).toThrow(TandemError);
    expect(proxy.up.impairment.loss).toBe(0);
    expect(proxy.up.impairment.delayMs).toBe(5);
    await expect(UdpImpairmentProxy.start({ listenHost: '127.0.0.2', listenPort: 70000, targetHost: '127.0.0.1', targetPort: 1 })).rejects.toThrow(TandemError);
  });
});
