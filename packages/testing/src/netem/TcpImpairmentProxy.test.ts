import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpImpairmentProxy } from './TcpImpairmentProxy.js';
import type { LinkSettings } from './types.js';

/** An echo server on 127.0.0.1 behind the proxy on 127.0.0.2, and one client connection. */
const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rig(settings: LinkSettings) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ close: () => (sockets.forEach((s) => s.destroy()), new Promise((r) => server.close(r))) });
  const proxy = await TcpImpairmentProxy.start({
    listenHost: '127.0.0.2',
    listenPort: 0,
    targetHost: '127.0.0.1',
    targetPort: (server.address() as { port: number }).port,
    settings,
  });
  open.push(proxy);
  const client = createConnection({ host: '127.0.0.2', port: proxy.port, noDelay: true });
  await new Promise<void>((r, j) => client.once('connect', r).once('error', j));
  const received: Buffer[] = [];
  let closedBy: string | undefined;
  client.on('data', (d: Buffer) => received.push(d));
  client.on('error', (e: NodeJS.ErrnoException) => (closedBy = e.code));
  client.on('close', () => (closedBy ??= 'close'));
  open.push({ close: () => client.destroy() });
  return { proxy, client, received, closed: () => closedBy, text: () => Buffer.concat(received).toString() };
}

describe('TcpImpairmentProxy', () => {
  it('adds the configured delay each way to an echo round trip', async () => {
    const { client, text } = await rig({ up: { delayMs: 40 }, down: { delayMs: 60 } });
    const rtts: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const before = text().length;
      const sentAt = performance.now();
      client.write('ping');
      while (text().length < before + 4) await sleep(1);
      rtts.push(performance.now() - sentAt);
    }
    const p50 = [...rtts].sort((a, b) => a - b)[2]!;
    expect(p50).toBeGreaterThanOrEqual(100);
    expect(p50).toBeLessThan(120);
  });

  it('stalls through an outage without losing or reordering a byte, then delivers it all', async () => {
    const { proxy, client, text, closed } = await rig({});
    client.write('a');
    await sleep(50);
    proxy.set({ up: { outage: true }, down: { outage: true } });
    client.write('b');
    client.write('c');
    await sleep(300);
    expect(text()).toBe('a');
    proxy.set({ up: { outage: false }, down: { outage: false } });
    await sleep(100);
    expect(text()).toBe('abc');
    expect(closed()).toBeUndefined();
  });

  it('resets every connection in a reset outage and refuses new ones until it ends', async () => {
    const { proxy, closed } = await rig({});
    proxy.set({ up: { outage: true, tcpOutage: 'reset' } });
    await sleep(100);
    expect(closed()).toBe('ECONNRESET');
    expect(proxy.connections).toBe(0);
    const refused = createConnection({ host: '127.0.0.2', port: proxy.port });
    const outcome = await new Promise<string>((r) => {
      refused.on('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
      refused.on('close', () => r('close'));
    });
    expect(outcome).toBe('ECONNRESET');
    proxy.set({ up: { outage: false } });
    const again = createConnection({ host: '127.0.0.2', port: proxy.port });
    open.push({ close: () => again.destroy() });
    const echoed = await new Promise<string>((r) => {
      again.on('data', (d: Buffer) => r(d.toString()));
      again.write('back');
    });
    expect(echoed).toBe('back');
  });

  it('limits throughput to the configured rate, without dropping anything', async () => {
    const { client, received } = await rig({ up: { rateKbps: 800 } });
    const payload = Buffer.alloc(200_000, 7); // 1.6 Mbit: 2 s at 800 kbps
    const started = performance.now();
    client.write(payload);
    let total = 0;
    while (total < payload.length && performance.now() - started < 5000) {
      await sleep(20);
      total = received.reduce((sum, d) => sum + d.length, 0);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(total).toBe(payload.length);
    expect((payload.length * 8) / 1000 / seconds).toBeGreaterThan(800 * 0.85);
    expect((payload.length * 8) / 1000 / seconds).toBeLessThan(800 * 1.15);
  });
});
