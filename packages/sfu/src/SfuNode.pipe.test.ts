import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode, PipedProducer, SfuEvents } from '@tandem/protocol';
import { createSfuNode, type SfuNode } from './index.js';
import { readMediaPacket } from './rtp.testkit.js';
import { codeOf } from '@tandem/protocol/testkit';

/** One RTP packet carrying a one-packet VP8 key frame (as SfuNode.media.test.ts sends). */
function vp8Packet(seq: number, ssrc: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0x80 | 101;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 3000) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  const descriptor = [0x90, 0x80, seq & 0x7f];
  const frame = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, ...new Array<number>(20).fill(0)];
  return Buffer.concat([header, Buffer.from([...descriptor, ...frame])]);
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
};

/** True if nothing listens on the UDP port (the worker frees it asynchronously, so allow a moment). */
async function portIsFree(ip: string, port: number, waitMs = 0): Promise<boolean> {
  const end = Date.now() + waitMs;
  for (;;) {
    const socket = dgram.createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, ip, () => socket.close(() => resolve(true)));
    });
    if (free || Date.now() > end) return free;
    await sleep(50);
  }
}

const VIDEO_SSRC = 33_333_333;
const VP8 = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
  encodings: [{ ssrc: VIDEO_SSRC }],
};

describe('a room spanning two SFU nodes (pipe transports)', () => {
  const roomId = 'spanning-call';
  let a: SfuNode;
  let b: SfuNode;
  let sender: dgram.Socket;
  let receiver: dgram.Socket;
  let pump: NodeJS.Timeout | undefined;
  /** RTP sequence numbers arriving at the agent's end on node B, by SSRC. */
  const received = new Map<number, number[]>();
  const eventsOnB = {
    consumerClosed: [] as SfuEvents['consumerClosed'][0][],
    producerClosed: [] as SfuEvents['producerClosed'][0][],
  };
  let ingest: { transportId: string; ip: string; port: number };
  let egressId: string;
  let capabilitiesB: unknown;
  const arrived = (ssrc: number) => received.get(ssrc)?.length ?? 0;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      createSfuNode({ nodeId: 'node-a', numWorkers: 1, rtcPort: 0 }),
      createSfuNode({ nodeId: 'node-b', numWorkers: 1, rtcPort: 0 }),
    ]);
    b.on('consumerClosed', (e) => eventsOnB.consumerClosed.push(e));
    b.on('producerClosed', (e) => eventsOnB.producerClosed.push(e));
    sender = dgram.createSocket('udp4');
    receiver = dgram.createSocket('udp4');
    receiver.on('message', (msg) => {
      const packet = readMediaPacket(msg);
      if (packet) received.set(packet.ssrc, [...(received.get(packet.ssrc) ?? []), packet.seq]);
    });
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    clearInterval(pump);
    sender?.close();
    receiver?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('answers routerCapabilities with no room open, the same as any room gets', async () => {
    const before = await b.request('routerCapabilities', {});
    expect((await b.nodeStats()).rooms).toBe(0);
    const opened = await b.request('openRoom', { roomId });
    expect(before.routerRtpCapabilities).toEqual(opened.routerRtpCapabilities);
    expect((await b.request('routerCapabilities', {})).routerRtpCapabilities).toEqual(opened.routerRtpCapabilities);
    capabilitiesB = opened.routerRtpCapabilities;
  });

  it('counts distinct peers with WebRTC transports in nodeStats', async () => {
    await a.request('openRoom', { roomId });
    await a.request('createTransport', { roomId, peerId: 'customer', direction: 'send' });
    await a.request('createTransport', { roomId, peerId: 'customer', direction: 'recv' });
    await a.request('createTransport', { roomId, peerId: 'agent', direction: 'recv' });
    ingest = await a.createPlainTransport(roomId, { peerId: 'camera-feed', comedia: true });
    const stats = await a.request('nodeStats', {});
    // Two people; the plain RTP feed is not one.
    expect(stats).toMatchObject({ peers: 2, transports: 4, mediaBytes: 0 });
  });

  it('carries a producer from A to a consumer on B, wired the way signaling does it', async () => {
    const { producerId } = await a.request('produce', {
      roomId, peerId: 'camera-feed', transportId: ingest.transportId, kind: 'video', source: 'camera', rtpParameters: VP8,
    });
    const egress = await b.createPlainTransport(roomId, { peerId: 'agent-recorder' });
    egressId = egress.transportId;
    await b.connectPlainTransport(roomId, egressId, { ip: '127.0.0.1', port: (receiver.address() as AddressInfo).port });

    // Two signaling processes racing: every step twice at once, then once more.
    const twice = <T>(call: () => Promise<T>) => Promise.all([call(), call(), call().then(() => call())]);
    const [endA] = await twice(() => a.request('openPipe', { roomId, remoteNodeId: 'node-b' }));
    const [endB] = await twice(() => b.request('openPipe', { roomId, remoteNodeId: 'node-a' }));
    expect(new Set((await twice(() => a.request('openPipe', { roomId, remoteNodeId: 'node-b' }))).map((e) => e.transportId)))
      .toEqual(new Set([endA.transportId]));
    expect(endA).toMatchObject({ ip: '127.0.0.1' });
    await twice(() => a.request('connectPipe', { roomId, remoteNodeId: 'node-b', ip: endB.ip, port: endB.port }));
    await twice(() => b.request('connectPipe', { roomId, remoteNodeId: 'node-a', ip: endA.ip, port: endA.port }));
    const piped = await twice(() => a.request('pipeOut', { roomId, remoteNodeId: 'node-b', producerId }));
    expect(piped[1]).toEqual(piped[0]);
    expect(piped[0]).toMatchObject({ producerId, peerId: 'camera-feed', kind: 'video', source: 'camera', paused: false });
    await twice(() => b.request('pipeIn', { roomId, remoteNodeId: 'node-a', ...piped[0] }));

    const pipesA = await a.listPipes(roomId);
    expect(pipesA).toEqual([{ remoteNodeId: 'node-b', ...endA, remote: { ip: endB.ip, port: endB.port }, pipedOut: [producerId], pipedIn: [] }]);
    expect((await b.listPipes(roomId))[0]).toMatchObject({ pipedOut: [], pipedIn: [producerId] });
    expect(b.listProducers(roomId)).toEqual([{ producerId, peerId: 'camera-feed', kind: 'video', source: 'camera', paused: false }]);

    const consumer = await b.request('consume', {
      roomId, peerId: 'agent-recorder', transportId: egressId, producerId, rtpCapabilities: capabilitiesB,
    });
    const ssrc = (consumer.rtpParameters as { encodings: { ssrc: number }[] }).encodings[0]!.ssrc;
    expect(ssrc).not.toBe(VIDEO_SSRC);
    await b.request('resumeConsumer', { roomId, consumerId: consumer.id });

    let seq = 0;
    pump = setInterval(() => sender.send(vp8Packet(++seq, VIDEO_SSRC), ingest.port, ingest.ip), 20);
    await until(() => arrived(ssrc) >= 15);
    expect([...received.keys()]).toEqual([ssrc]);
    // One pipe consumer per producer: no packet arrives twice.
    const seqs = received.get(ssrc)!;
    expect(new Set(seqs).size).toBe(seqs.length);
    // RTP through plain and pipe transports is not browser media.
    expect((await a.nodeStats()).mediaBytes).toBe(0);

    // Pausing the piped producer on B stops the flow; resuming restarts it.
    await b.request('pauseProducer', { roomId, producerId });
    await sleep(150);
    const paused = arrived(ssrc);
    await sleep(250);
    expect(arrived(ssrc)).toBe(paused);
    await b.request('resumeProducer', { roomId, producerId });
    await until(() => arrived(ssrc) > paused + 5);

    // Closing on A closes its pipe consumer; closing on B (signaling does both) tells B's consumer.
    await a.request('closeProducer', { roomId, producerId });
    expect((await a.listPipes(roomId))[0]!.pipedOut).toEqual([]);
    expect(eventsOnB.consumerClosed).toEqual([]);
    await b.request('closeProducer', { roomId, producerId });
    await until(() => eventsOnB.consumerClosed.length > 0);
    expect(eventsOnB.consumerClosed).toEqual([{ roomId, peerId: 'agent-recorder', consumerId: consumer.id, producerId }]);
    expect((await b.listPipes(roomId))[0]!.pipedIn).toEqual([]);
    expect(b.listProducers(roomId)).toEqual([]);
  });

  it('refuses bad pipe requests with typed errors and changes nothing', async () => {
    const before = { a: await a.listPipes(roomId), b: await b.listPipes(roomId), producers: b.listProducers(roomId) };
    const good: PipedProducer = {
      producerId: 'p-1', peerId: 'someone', kind: 'video', source: 'camera', rtpParameters: VP8, paused: false,
    };
    const pipeIn = (over: Record<string, unknown>) =>
      b.request('pipeIn', { roomId, remoteNodeId: 'node-a', ...good, ...over } as never);
    const [endB] = before.b;
    const cases: [Promise<unknown>, ErrorCode][] = [
      [a.request('openPipe', { roomId, remoteNodeId: '' }), 'BAD_PARAMS'],
      [a.request('openPipe', { roomId, remoteNodeId: 'node-a' }), 'BAD_PARAMS'],
      [a.request('openPipe', { roomId: 'no-such-room', remoteNodeId: 'node-b' }), 'NOT_FOUND'],
      [a.request('openPipe', { roomId, remoteNodeId: 42 } as never), 'BAD_PARAMS'],
      [a.request('connectPipe', { roomId, remoteNodeId: 'node-c', ip: '127.0.0.1', port: 5000 }), 'NOT_FOUND'],
      [a.request('connectPipe', { roomId, remoteNodeId: 'node-b', ip: '127.0.0.1', port: 0 }), 'BAD_PARAMS'],
      [a.request('connectPipe', { roomId, remoteNodeId: 'node-b', ip: '127.0.0.1', port: '1' } as never), 'BAD_PARAMS'],
      [a.request('connectPipe', { roomId, remoteNodeId: 'node-b', ip: endB!.ip, port: endB!.port + 1 }), 'BAD_STATE'],
      [a.request('pipeOut', { roomId, remoteNodeId: 'node-b', producerId: 'nope' }), 'NOT_FOUND'],
      [a.request('pipeOut', { roomId, remoteNodeId: 'node-c', producerId: 'nope' }), 'NOT_FOUND'],
      [pipeIn({ kind: 'smell' }), 'BAD_PARAMS'],
      [pipeIn({ kind: 'audio' }), 'BAD_PARAMS'],
      [pipeIn({ paused: 'no' }), 'BAD_PARAMS'],
      [pipeIn({ producerId: undefined }), 'BAD_PARAMS'],
      [pipeIn({ rtpParameters: {} }), 'BAD_PARAMS'],
      [pipeIn({ rtpParameters: null }), 'BAD_PARAMS'],
      [pipeIn({ remoteNodeId: 'node-c' }), 'NOT_FOUND'],
      [b.request('pipeIn', null as never), 'BAD_PARAMS'],
    ];
    expect(await Promise.all(cases.map(([call]) => codeOf(call)))).toEqual(cases.map(([, code]) => code));
    expect({ a: await a.listPipes(roomId), b: await b.listPipes(roomId), producers: b.listProducers(roomId) }).toEqual(before);
  });

  it('closePipe closes what came through it and reports the producers as closed', async () => {
    const { producerId } = await a.request('produce', {
      roomId, peerId: 'camera-feed', transportId: ingest.transportId, kind: 'video', source: 'screen', rtpParameters: {
        ...VP8, encodings: [{ ssrc: VIDEO_SSRC + 1 }],
      },
    });
    const piped = await a.request('pipeOut', { roomId, remoteNodeId: 'node-b', producerId });
    await b.request('pipeIn', { roomId, remoteNodeId: 'node-a', ...piped });
    const consumer = await b.request('consume', {
      roomId, peerId: 'agent-recorder', transportId: egressId, producerId, rtpCapabilities: capabilitiesB,
    });
    eventsOnB.consumerClosed.length = 0;

    await b.closePipe(roomId, 'node-a');
    expect(eventsOnB.producerClosed).toEqual([{ roomId, peerId: 'camera-feed', producerId }]);
    await until(() => eventsOnB.consumerClosed.length > 0);
    expect(eventsOnB.consumerClosed).toEqual([{ roomId, peerId: 'agent-recorder', consumerId: consumer.id, producerId }]);
    expect(b.listProducers(roomId)).toEqual([]);
    expect(await b.listPipes(roomId)).toEqual([]);
    // A new pipe can be opened afterwards (the node came back).
    const reopened = await b.request('openPipe', { roomId, remoteNodeId: 'node-a' });
    expect((await b.listPipes(roomId)).map((p) => p.transportId)).toEqual([reopened.transportId]);
  });

  it('closeRoom closes the room pipes and frees their ports, quietly', async () => {
    const [pipeA] = await a.listPipes(roomId);
    const [pipeB] = await b.listPipes(roomId);
    expect(await portIsFree(pipeA!.ip, pipeA!.port)).toBe(false);
    eventsOnB.producerClosed.length = 0;
    eventsOnB.consumerClosed.length = 0;
    await a.request('closeRoom', { roomId });
    await b.request('closeRoom', { roomId });
    expect(await portIsFree(pipeA!.ip, pipeA!.port, 2000)).toBe(true);
    expect(await portIsFree(pipeB!.ip, pipeB!.port, 2000)).toBe(true);
    expect(await codeOf(b.request('openPipe', { roomId, remoteNodeId: 'node-a' }))).toBe('NOT_FOUND');
    expect(eventsOnB).toEqual({ producerClosed: [], consumerClosed: [] });
  });
});
