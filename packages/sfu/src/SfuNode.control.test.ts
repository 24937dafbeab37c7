import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfuEvents } from '@tandem/protocol';
import { createSfuNode, localIpv4Addresses, type SfuNode } from './index.js';
import { codeOf } from '@tandem/protocol/testkit';

const VP8_PARAMS = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: 4242 }],
};


type Candidate = { ip: string; address: string; protocol: string; port: number };
const endpoints = (candidates: unknown[]): string[] =>
  [...new Set((candidates as Candidate[]).map((c) => `${c.protocol} ${c.address}`))].sort();

/** A port that was free a moment ago (for the fixed-port WebRtcServer). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('SfuNode control requests', () => {
  let node: SfuNode;
  beforeAll(async () => {
    node = await createSfuNode({ nodeId: 'control-test', numWorkers: 1, rtcPort: 0 });
  });
  afterAll(() => node?.close());

  it('gives transports UDP and TCP candidates on every local IPv4 address, loopback included', async () => {
    await node.request('openRoom', { roomId: 'candidates' });
    const transport = await node.request('createTransport', { roomId: 'candidates', peerId: 'alice', direction: 'recv' });
    const expected = localIpv4Addresses(os.networkInterfaces()).flatMap((ip) => [`tcp ${ip}`, `udp ${ip}`]).sort();
    expect(expected).toContain('udp 127.0.0.1');
    expect(endpoints(transport.iceCandidates)).toEqual(expected);
    await node.request('closeRoom', { roomId: 'candidates' });
  });

  it('refuses bad input with typed errors, changes nothing, and keeps serving', async () => {
    const roomId = 'bad-input';
    const { routerRtpCapabilities } = await node.request('openRoom', { roomId });
    const aliceSend = await node.request('createTransport', { roomId, peerId: 'alice', direction: 'send' });
    const bobRecv = await node.request('createTransport', { roomId, peerId: 'bob', direction: 'recv' });
    const produce = (over: Record<string, unknown>) =>
      node.request('produce', {
        roomId, peerId: 'alice', transportId: aliceSend.id, kind: 'video', source: 'camera', rtpParameters: VP8_PARAMS,
        ...over,
      } as never);
    const before = await node.nodeStats();

    expect(await codeOf(node.request('createTransport', { roomId: 'nope', peerId: 'a', direction: 'send' }))).toBe('NOT_FOUND');
    expect(await codeOf(node.request('connectTransport', { roomId, transportId: 'nope', dtlsParameters: {} }))).toBe('NOT_FOUND');
    expect(await codeOf(node.request('resumeConsumer', { roomId, consumerId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(node.request('closeProducer', { roomId, producerId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(node.request('restartIce', { roomId, transportId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(node.request('createTransport', { roomId, peerId: 'a', direction: 'sideways' as never }))).toBe('BAD_PARAMS');
    expect(await codeOf(node.request('openRoom', null as never))).toBe('BAD_PARAMS');
    expect(await codeOf(node.request('teleport' as never, {} as never))).toBe('UNKNOWN_METHOD');
    expect(await codeOf(produce({ rtpParameters: { codecs: [{ foo: 1 }] } }))).toBe('BAD_PARAMS');
    expect(await codeOf(produce({ rtpParameters: 'garbage' }))).toBe('BAD_PARAMS');
    expect(await codeOf(produce({ kind: 'smell' }))).toBe('BAD_PARAMS');
    expect(await codeOf(produce({ kind: 'audio', source: 'screen' }))).toBe('BAD_PARAMS');
    expect(await codeOf(produce({ peerId: 'bob' }))).toBe('FORBIDDEN');
    expect(await codeOf(produce({ peerId: 'bob', transportId: bobRecv.id }))).toBe('BAD_PARAMS');
    const dtlsCode = await codeOf(
      node.request('connectTransport', { roomId, transportId: aliceSend.id, dtlsParameters: { fingerprints: 'x' } }),
    );
    expect(['BAD_PARAMS', 'MEDIA_ERROR']).toContain(dtlsCode);
    expect(await node.nodeStats()).toMatchObject({ transports: before.transports, producers: 0, consumers: 0 });

    // Valid requests still work, and consume checks capabilities and ownership.
    const { producerId } = await produce({});
    const consume = (over: Record<string, unknown>) =>
      node.request('consume', {
        roomId, peerId: 'bob', transportId: bobRecv.id, producerId, rtpCapabilities: routerRtpCapabilities, ...over,
      } as never);
    expect(await codeOf(consume({ rtpCapabilities: {} }))).toBe('BAD_PARAMS');
    expect(await codeOf(consume({ rtpCapabilities: { codecs: [{ mimeType: 'video/H265' }] } }))).toBe('BAD_PARAMS');
    expect(await codeOf(consume({ peerId: 'alice' }))).toBe('FORBIDDEN');
    expect(await codeOf(consume({ producerId: 'nope' }))).toBe('NOT_FOUND');
    const consumer = await consume({});
    expect(consumer).toMatchObject({ producerId, kind: 'video' });
    expect(await node.nodeStats()).toMatchObject({ producers: 1, consumers: 1 });
    await node.request('closeRoom', { roomId });
  });

  it('counts rise and fall, and closeRoom frees everything', async () => {
    const base = await node.nodeStats();
    expect(base).toMatchObject({ nodeId: 'control-test', rooms: 0, transports: 0, producers: 0, consumers: 0 });
    expect(base.workers).toEqual([{ pid: node.workerPids()[0], cpuMs: expect.any(Number) }]);

    // Two concurrent opens of one room share one router.
    const [a, b] = await Promise.all([node.request('openRoom', { roomId: 'r1' }), node.request('openRoom', { roomId: 'r1' })]);
    expect(a).toEqual(b);
    await node.request('openRoom', { roomId: 'r2' });
    const send = await node.request('createTransport', { roomId: 'r1', peerId: 'alice', direction: 'send' });
    const recv = await node.request('createTransport', { roomId: 'r1', peerId: 'bob', direction: 'recv' });
    await node.request('createTransport', { roomId: 'r2', peerId: 'carol', direction: 'send' });
    const { producerId } = await node.request('produce', {
      roomId: 'r1', peerId: 'alice', transportId: send.id, kind: 'video', source: 'screen', rtpParameters: VP8_PARAMS,
    });
    await node.request('consume', {
      roomId: 'r1', peerId: 'bob', transportId: recv.id, producerId, rtpCapabilities: a.routerRtpCapabilities,
    });
    expect(await node.nodeStats()).toMatchObject({ rooms: 2, transports: 3, producers: 1, consumers: 1 });

    await node.request('closePeer', { roomId: 'r1', peerId: 'bob' });
    expect(await node.nodeStats()).toMatchObject({ rooms: 2, transports: 2, producers: 1, consumers: 0 });

    await node.request('closeRoom', { roomId: 'r1' });
    expect(await node.nodeStats()).toMatchObject({ rooms: 1, transports: 1, producers: 0, consumers: 0 });
    expect(await codeOf(node.request('closeRoom', { roomId: 'r1' }))).toBe('NOT_FOUND');
    await node.request('closeRoom', { roomId: 'r2' });
    expect(await node.nodeStats()).toMatchObject({ rooms: 0, transports: 0, producers: 0, consumers: 0 });
  });
});

describe('SfuNode with an announced address and a fixed port', () => {
  let node: SfuNode;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    node = await createSfuNode({ nodeId: 'announced', numWorkers: 1, rtcPort: port, announcedAddress: '203.0.113.7' });
  });
  afterAll(() => node?.close());

  it('puts the announced address and the configured port in UDP and TCP candidates', async () => {
    await node.request('openRoom', { roomId: 'r' });
    const transport = await node.request('createTransport', { roomId: 'r', peerId: 'p', direction: 'send' });
    const candidates = transport.iceCandidates as Candidate[];
    expect(endpoints(candidates)).toEqual(['tcp 203.0.113.7', 'udp 203.0.113.7']);
    expect(candidates.every((c) => c.port === port)).toBe(true);
  });
});

describe('SfuNode when a worker dies', () => {
  let node: SfuNode;
  const failed: SfuEvents['transportFailed'][0][] = [];
  const down: unknown[] = [];
  beforeAll(async () => {
    node = await createSfuNode({ nodeId: 'mortal', numWorkers: 2, rtcPort: 0 });
    node.on('transportFailed', (e) => failed.push(e));
    node.on('nodeDown', (e) => down.push(e));
  });
  afterAll(() => node?.close());

  it('drops only that worker rooms, reports their transports, and replaces the worker', async () => {
    // Least-loaded placement puts the two rooms on different workers.
    await node.request('openRoom', { roomId: 'a' });
    await node.request('openRoom', { roomId: 'b' });
    const ta = await node.request('createTransport', { roomId: 'a', peerId: 'pa', direction: 'send' });
    const tb = await node.request('createTransport', { roomId: 'b', peerId: 'pb', direction: 'send' });
    const [victim, survivor] = node.workerPids();
    process.kill(victim!, 'SIGKILL');

    await expect.poll(() => failed.length, { timeout: 5000 }).toBe(1);
    const lost = failed[0]!;
    expect(lost.state).toBe('worker-died');
    expect([ta.id, tb.id]).toContain(lost.transportId);
    const lostRoom = lost.transportId === ta.id ? 'a' : 'b';
    const keptRoom = lostRoom === 'a' ? 'b' : 'a';
    expect(await codeOf(node.request('createTransport', { roomId: lostRoom, peerId: 'x', direction: 'recv' }))).toBe('NOT_FOUND');
    await node.request('createTransport', { roomId: keptRoom, peerId: 'x', direction: 'recv' });

    await expect.poll(() => node.workerPids().length, { timeout: 5000 }).toBe(2);
    expect(node.workerPids()).toContain(survivor);
    expect(node.workerPids()).not.toContain(victim);
    await node.request('openRoom', { roomId: 'c' });
    await node.request('createTransport', { roomId: 'c', peerId: 'y', direction: 'send' });
    expect((await node.nodeStats()).rooms).toBe(2);
    expect(down).toEqual([]);
  });
});
