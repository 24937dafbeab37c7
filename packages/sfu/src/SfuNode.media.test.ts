import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfuEvents } from '@tandem/protocol';
import { createSfuNode, type SfuNode } from './index.js';
import { readMediaPacket } from './rtp.testkit.js';

/** RTP packets as a camera and a mic would send them, enough for mediasoup to forward. */
function rtpPacket(payloadType: number, seq: number, timestamp: number, ssrc: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // version 2
  header[1] = 0x80 | payloadType; // marker: each frame is one packet
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, payload]);
}

/** A one-packet VP8 key frame: descriptor X+S, I with a PictureID, then a key frame header. */
function vp8KeyFrame(pictureId: number): Buffer {
  const descriptor = [0x90, 0x80, pictureId & 0x7f];
  // Frame tag (P bit 0 = key frame, show_frame), start code, 320x240.
  const frame = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, ...new Array<number>(20).fill(0)];
  return Buffer.from([...descriptor, ...frame]);
}

interface Received {
  ssrc: number;
  payloadType: number;
}

const VIDEO_SSRC = 11_111_111;
const AUDIO_SSRC = 22_222_222;
const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('RTP through the SFU (plain transports)', () => {
  let node: SfuNode;
  let sender: dgram.Socket;
  let receiver: dgram.Socket;
  let pump: NodeJS.Timeout | undefined;
  const received: Received[] = [];
  const events = {
    consumerClosed: [] as SfuEvents['consumerClosed'][0][],
    producerClosed: [] as SfuEvents['producerClosed'][0][],
    transportFailed: [] as SfuEvents['transportFailed'][0][],
  };

  beforeAll(async () => {
    node = await createSfuNode({ nodeId: 'media-test', numWorkers: 1, rtcPort: 0 });
    node.on('consumerClosed', (e) => events.consumerClosed.push(e));
    node.on('producerClosed', (e) => events.producerClosed.push(e));
    node.on('transportFailed', (e) => events.transportFailed.push(e));
    sender = dgram.createSocket('udp4');
    receiver = dgram.createSocket('udp4');
    receiver.on('message', (msg) => {
      const packet = readMediaPacket(msg);
      if (packet) received.push({ ssrc: packet.ssrc, payloadType: packet.payloadType });
    });
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    clearInterval(pump);
    sender?.close();
    receiver?.close();
    await node?.close();
  });

  it('forwards injected VP8 and opus to a consumer, with its SSRC and payload type, once resumed', async () => {
    const roomId = 'rtp-room';
    const { routerRtpCapabilities } = await node.request('openRoom', { roomId });
    const ingest = await node.createPlainTransport(roomId, { peerId: 'camera-feed', comedia: true });
    const egress = await node.createPlainTransport(roomId, { peerId: 'recorder' });
    await node.connectPlainTransport(roomId, egress.transportId, {
      ip: '127.0.0.1',
      port: (receiver.address() as AddressInfo).port,
    });

    const produce = (kind: 'audio' | 'video', rtpParameters: unknown) =>
      node.request('produce', {
        roomId,
        peerId: 'camera-feed',
        transportId: ingest.transportId,
        kind,
        source: kind === 'audio' ? 'mic' : 'camera',
        rtpParameters,
      });
    const video = await produce('video', {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
      encodings: [{ ssrc: VIDEO_SSRC }],
    });
    const audio = await produce('audio', {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: AUDIO_SSRC }],
    });
    expect(node.listProducers(roomId).map((p) => p.source).sort()).toEqual(['camera', 'mic']);

    const consume = (producerId: string) =>
      node.request('consume', {
        roomId,
        peerId: 'recorder',
        transportId: egress.transportId,
        producerId,
        rtpCapabilities: routerRtpCapabilities,
      });
    const videoConsumer = await consume(video.producerId);
    const audioConsumer = await consume(audio.producerId);
    const expected = (c: typeof videoConsumer) => {
      const rtp = c.rtpParameters as { codecs: { payloadType: number }[]; encodings: { ssrc: number }[] };
      return { ssrc: rtp.encodings[0]!.ssrc, payloadType: rtp.codecs[0]!.payloadType };
    };
    const videoOut = expected(videoConsumer);
    const audioOut = expected(audioConsumer);
    // The consumer rewrites SSRCs: what arrives must be the consumer's, not the sender's.
    expect(videoOut.ssrc).not.toBe(VIDEO_SSRC);

    let seq = 0;
    pump = setInterval(() => {
      seq += 1;
      const target = { port: ingest.port, address: ingest.ip };
      sender.send(rtpPacket(101, seq, seq * 3000, VIDEO_SSRC, vp8KeyFrame(seq)), target.port, target.address);
      sender.send(rtpPacket(100, seq, seq * 960, AUDIO_SSRC, Buffer.from([0xf8, 0xff, 0xfe])), target.port, target.address);
    }, 20);

    // Created paused: nothing flows until the consumer is resumed.
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(0);

    await node.request('resumeConsumer', { roomId, consumerId: videoConsumer.id });
    await node.request('resumeConsumer', { roomId, consumerId: audioConsumer.id });
    const count = (out: Received) => received.filter((p) => p.ssrc === out.ssrc && p.payloadType === out.payloadType).length;
    await until(() => count(videoOut) >= 10 && count(audioOut) >= 10);
    expect(received.every((p) => [videoOut.ssrc, audioOut.ssrc].includes(p.ssrc))).toBe(true);

    // And it keeps flowing.
    const before = { video: count(videoOut), audio: count(audioOut) };
    await new Promise((r) => setTimeout(r, 300));
    expect(count(videoOut)).toBeGreaterThan(before.video + 5);
    expect(count(audioOut)).toBeGreaterThan(before.audio + 5);

    // Closing the producer tells the consumer's peer, and the video stops.
    await node.request('closeProducer', { roomId, producerId: video.producerId });
    await until(() => events.consumerClosed.length > 0);
    expect(events.consumerClosed).toEqual([
      { roomId, peerId: 'recorder', consumerId: videoConsumer.id, producerId: video.producerId },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const videoAfterClose = count(videoOut);
    await new Promise((r) => setTimeout(r, 200));
    expect(count(videoOut)).toBe(videoAfterClose);
    expect(count(audioOut)).toBeGreaterThan(before.audio + 10);

    // The sending peer leaving closes the audio consumer under the recorder...
    await node.request('closePeer', { roomId, peerId: 'camera-feed' });
    await until(() => events.consumerClosed.length > 1);
    expect(events.consumerClosed[1]).toMatchObject({ peerId: 'recorder', consumerId: audioConsumer.id });
    // ...but the peer that was closed on request gets no events about its own objects.
    expect(events.producerClosed).toEqual([]);
    expect(events.transportFailed).toEqual([]);
    await node.request('closePeer', { roomId, peerId: 'recorder' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.consumerClosed).toHaveLength(2);
    const stats = await node.request('nodeStats', {});
    expect(stats).toMatchObject({ rooms: 1, transports: 0, producers: 0, consumers: 0 });
  });
});
