import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { Device, FakeHandler, testFakeParameters } from 'mediasoup-client';
import type { ChatMessage, PeerInfo, ProducerInfo } from '@tandem/protocol';
import { connectRoom, type Room } from './Room.js';
import type { RoomError, RoomOptions } from './RoomTypes.js';

/**
 * A Tandem server stand-in speaking the real wire (HTTP + WS envelope) with mediasoup's
 * fake parameters, and a Device on mediasoup-client's FakeHandler: the Room's whole flow
 * runs in Node. Real media is proven by the e2e suite in Chromium.
 */
interface Call {
  socket: ServerSocket;
  requests: Array<{ method: string; params: Record<string, unknown> }>;
}

const agent: PeerInfo = { peerId: 'agent1', role: 'agent', displayName: 'Ada' };
const line = (messageId: string, at: number): ChatMessage => ({
  messageId, sessionId: 's1', from: 'agent1', role: 'agent', displayName: 'Ada', text: `line ${messageId}`, at,
});

class FakeTandem {
  readonly calls: Call[] = [];
  peers: PeerInfo[] = [agent];
  producers: ProducerInfo[] = [];
  chat: ChatMessage[] = [];
  seq = 0;
  /** Error codes the next consume requests fail with, in order. */
  consumeFailures: string[] = [];
  /** Whether a `resume` is granted (a restarted server would refuse it). */
  resumable = false;
  #next = 0;
  readonly #http: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/v1/router-capabilities') {
      res.end(JSON.stringify({ routerRtpCapabilities: testFakeParameters.generateRouterRtpCapabilities() }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route' } }));
    }
  });
  readonly #wss = new WebSocketServer({ server: this.#http, path: '/ws' });
  url = '';

  async start(): Promise<this> {
    this.#wss.on('connection', (socket) => this.#accept(socket));
    await new Promise<void>((resolve) => this.#http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
    return this;
  }

  get last(): Call {
    const call = this.calls.at(-1);
    if (!call) throw new Error('no connection yet');
    return call;
  }

  notify(method: string, params: unknown): void {
    this.last.socket.send(JSON.stringify({ method, params, seq: ++this.seq }));
  }

  stop(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    return new Promise((resolve) => this.#http.close(() => resolve()));
  }

  #accept(socket: ServerSocket): void {
    const call: Call = { socket, requests: [] };
    this.calls.push(call);
    socket.send(JSON.stringify({ method: 'hello', params: { protocolVersion: 1, serverId: 'fake' }, seq: 0 }));
    socket.on('message', (data) => {
      const { id, method, params = {} } = JSON.parse(String(data));
      call.requests.push({ method, params });
      const failure =
        method === 'consume' ? this.consumeFailures.shift() : method === 'resume' && !this.resumable ? 'RESUME_FAILED' : undefined;
      if (failure) socket.send(JSON.stringify({ id, ok: false, error: { code: failure, message: 'fake failure' } }));
      else socket.send(JSON.stringify({ id, ok: true, data: this.#answer(method, params) }));
    });
  }

  #answer(method: string, params: Record<string, unknown>): unknown {
    const id = (prefix: string): string => `${prefix}${++this.#next}`;
    switch (method) {
      case 'join':
        return {
          peerId: 'cust1', role: 'customer', sessionId: 's1', displayName: params.displayName,
          routerRtpCapabilities: testFakeParameters.generateRouterRtpCapabilities(),
          sendTransport: testFakeParameters.generateTransportRemoteParameters(),
          recvTransport: testFakeParameters.generateTransportRemoteParameters(),
          peers: this.peers, producers: this.producers, chat: this.chat, resumeToken: 'resume', seq: this.seq,
        };
      case 'produce':
        return { producerId: id('prod') };
      case 'consume': {
        const producer = this.producers.find((p) => p.producerId === params.producerId);
        const codecMimeType = producer?.kind === 'audio' ? 'audio/opus' : 'video/VP8';
        const options = testFakeParameters.generateConsumerRemoteParameters({ id: id('cons'), codecMimeType });
        return { ...options, producerId: params.producerId, peerId: producer?.peerId, source: producer?.source };
      }
      case 'resume':
        return { peerId: 'cust1', sessionId: 's1', replayed: 0 };
      case 'sendChat':
        return { message: { ...line(`c-${String(params.clientMessageId)}`, Date.now()), from: 'cust1', text: params.text } };
      default:
        return {};
    }
  }
}

const rooms: Room[] = [];
const tandems: FakeTandem[] = [];
afterEach(async () => {
  await Promise.all(rooms.splice(0).map((room) => room.leave()));
  await Promise.all(tandems.splice(0).map((tandem) => tandem.stop()));
});

async function join(tandem: FakeTandem, extra: Partial<RoomOptions> = {}): Promise<Room> {
  const room = await connectRoom({
    serverUrl: tandem.url,
    token: 'customer-call-token-0001',
    displayName: 'Cleo',
    device: new Device({ handlerFactory: FakeHandler.createFactory(testFakeParameters) }),
    WebSocket: NodeWebSocket as unknown as RoomOptions['WebSocket'],
    reconnectPolicy: { nextRetryDelayMs: (attempt) => (attempt <= 20 ? 20 : null) },
    ...extra,
  });
  rooms.push(room);
  return room;
}

async function started(): Promise<FakeTandem> {
  const tandem = await new FakeTandem().start();
  tandems.push(tandem);
  return tandem;
}

const methods = (call: Call): string[] => call.requests.map((request) => request.method);
const camera = (): MediaStreamTrack => new FakeMediaStreamTrack({ kind: 'video' }) as unknown as MediaStreamTrack;

describe('Room against a fake Tandem server', () => {
  it('joins with token and capabilities, then receives the peers, history and every existing track', async () => {
    const tandem = await started();
    tandem.producers = [
      { producerId: 'a-mic', peerId: 'agent1', kind: 'audio', source: 'mic', paused: false },
      { producerId: 'a-cam', peerId: 'agent1', kind: 'video', source: 'camera', paused: true },
    ];
    tandem.chat = [line('m1', 1)];
    const room = await join(tandem);
    expect(room.connectionState).toBe('connected');
    expect([room.peerId, room.role, room.sessionId]).toEqual(['cust1', 'customer', 's1']);
    expect([...room.peers.values()]).toEqual([agent]);
    expect(room.chat.map((message) => message.messageId)).toEqual(['m1']);
    const joinParams = tandem.last.requests[0];
    expect(joinParams?.method).toBe('join');
    expect(joinParams?.params).toMatchObject({ protocolVersion: 1, token: 'customer-call-token-0001', displayName: 'Cleo' });
    expect(joinParams?.params.rtpCapabilities).toHaveProperty('codecs');

    await vi.waitFor(() => expect(room.remoteTracks.size).toBe(2));
    const bySource = new Map([...room.remoteTracks.values()].map((track) => [track.source, track]));
    expect(bySource.get('mic')).toMatchObject({ kind: 'audio', peerId: 'agent1', producerId: 'a-mic', paused: false });
    expect(bySource.get('camera')).toMatchObject({ kind: 'video', producerId: 'a-cam', paused: true });
    const resumed = tandem.last.requests.filter((r) => r.method === 'resumeConsumer').map((r) => r.params.consumerId);
    expect(resumed.sort()).toEqual([...room.remoteTracks.keys()].sort());
  });

  it('retries a consume that failed for a passing reason, and gives up at once on a final one', async () => {
    const tandem = await started();
    tandem.producers = [
      { producerId: 'a-cam', peerId: 'agent1', kind: 'video', source: 'camera', paused: false },
      { producerId: 'a-mic', peerId: 'agent1', kind: 'audio', source: 'mic', paused: false },
    ];
    // The camera's consume meets a node in the middle of a move twice; the mic's producer is gone.
    tandem.consumeFailures = ['NODE_UNAVAILABLE', 'NOT_FOUND', 'NODE_UNAVAILABLE'];
    const errors: RoomError[] = [];
    const room = await join(tandem, {});
    room.on('error', (error) => errors.push(error));
    await vi.waitFor(() => expect([...room.remoteTracks.values()].map((t) => t.source)).toEqual(['camera']), { timeout: 3_000 });
    const consumes = tandem.last.requests.filter((r) => r.method === 'consume').map((r) => r.params.producerId);
    expect(consumes).toEqual(['a-cam', 'a-mic', 'a-cam', 'a-cam']);
    expect(errors.map((e) => e.reason)).toEqual(['NOT_FOUND']);
  });

  it('follows live notifications and ignores malformed and duplicate ones', async () => {
    const tandem = await started();
    const room = await join(tandem);
    const seen: string[] = [];
    room.on('trackSubscribed', (t) => seen.push(`sub:${t.source}`));
    room.on('trackMuteChanged', (t) => seen.push(`mute:${t.source}:${t.paused}`));
    room.on('trackUnsubscribed', (t) => seen.push(`unsub:${t.source}`));
    room.on('chatMessage', (m) => seen.push(`chat:${m.messageId}`));
    room.on('peerLeft', (id) => seen.push(`left:${id}`));
    const errors: RoomError[] = [];
    room.on('error', (error) => errors.push(error));

    const screen: ProducerInfo = { producerId: 'a-scr', peerId: 'agent1', kind: 'video', source: 'screen', paused: false };
    tandem.producers.push(screen);
    tandem.notify('newProducer', { producer: screen });
    await vi.waitFor(() => expect(seen).toContain('sub:screen'));
    tandem.notify('producerPaused', { producerId: 'a-scr', peerId: 'agent1' });
    tandem.notify('chatMessage', { message: line('m2', 2) });
    tandem.notify('chatMessage', { message: line('m2', 2) });
    tandem.notify('newProducer', { producer: { producerId: 42 } });
    tandem.notify('producerClosed', { producerId: 'a-scr', peerId: 'agent1' });
    tandem.notify('peerLeft', { peerId: 'agent1' });
    await vi.waitFor(() => expect(seen).toContain('left:agent1'));
    expect(seen).toEqual(['sub:screen', 'mute:screen:true', 'chat:m2', 'unsub:screen', 'left:agent1']);
    expect(errors.map((error) => error.reason)).toEqual(['BAD_MESSAGE']);
    expect(room.remoteTracks.size).toBe(0);
    expect(room.peers.size).toBe(0);
    expect(room.chat).toHaveLength(1);
  });

  it('publishes the camera as three simulcast layers and mutes it on the server and locally', async () => {
    const tandem = await started();
    const room = await join(tandem);
    const track = camera();
    const publication = await room.publish(track, 'camera');
    const produce = tandem.last.requests.find((r) => r.method === 'produce');
    expect(produce?.params).toMatchObject({ kind: 'video', source: 'camera' });
    expect((produce?.params.rtpParameters as { encodings: unknown[] }).encodings).toHaveLength(3);
    await room.setMuted('camera', true);
    expect(tandem.last.requests.at(-1)).toEqual({ method: 'pauseProducer', params: { producerId: publication.producerId } });
    expect(track.enabled).toBe(false);
    expect(room.localPublications.get('camera')?.muted).toBe(true);

    const count = tandem.last.requests.length;
    await expect(room.publish(new FakeMediaStreamTrack({ kind: 'audio' }) as unknown as MediaStreamTrack, 'camera'))
      .rejects.toMatchObject({ reason: 'BAD_PARAMS' });
    await expect(room.sendChat('   ')).rejects.toMatchObject({ reason: 'BAD_PARAMS' });
    expect(tandem.last.requests).toHaveLength(count);
  });

  it('unpublishes a track the browser ended and says so', async () => {
    const tandem = await started();
    const room = await join(tandem);
    const track = camera();
    const publication = await room.publish(track, 'screen');
    const ended = new Promise((resolve) => room.on('localTrackEnded', resolve));
    (track as unknown as FakeMediaStreamTrack).remoteStop();
    await expect(ended).resolves.toBe(publication);
    await vi.waitFor(() => expect(methods(tandem.last)).toContain('closeProducer'));
    expect(room.localPublications.size).toBe(0);
  });

  it('resumes after a drop: same peer and transports, media untouched, each missed notification applied once', async () => {
    const tandem = await started();
    tandem.resumable = true;
    tandem.producers = [{ producerId: 'a-mic', peerId: 'agent1', kind: 'audio', source: 'mic', paused: false }];
    const room = await join(tandem);
    await room.publish(camera(), 'camera');
    await vi.waitFor(() => expect(room.remoteTracks.size).toBe(1));
    const [consumerBefore] = [...room.remoteTracks.keys()];
    tandem.notify('chatMessage', { message: line('m1', 1) });
    await vi.waitFor(() => expect(room.chat).toHaveLength(1));
    const states: string[] = [];
    room.on('connectionStateChanged', (state) => states.push(state));
    const lastSeq = tandem.seq;

    tandem.last.socket.terminate();
    await vi.waitFor(() => expect(tandem.calls).toHaveLength(2));
    await vi.waitFor(() => expect(room.connectionState).toBe('connected'));
    const resume = tandem.last.requests.find((r) => r.method === 'resume');
    expect(resume?.params).toMatchObject({ token: 'customer-call-token-0001', resumeToken: 'resume', lastSeq });
    // What the server replays: one line missed, plus one the client already had (must not double).
    tandem.last.socket.send(JSON.stringify({ method: 'chatMessage', params: { message: line('m1', 1) }, seq: lastSeq }));
    tandem.notify('chatMessage', { message: line('m2', 2) });
    await vi.waitFor(() => expect(room.chat.map((m) => m.messageId)).toEqual(['m1', 'm2']));
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(methods(tandem.last)).toEqual(['resume']); // no rejoin, no new transports, no republish
    expect([...room.remoteTracks.keys()]).toEqual([consumerBefore]);
    await room.sendChat('after the resume');
    expect(methods(tandem.last)).toEqual(['resume', 'sendChat']);
  });

  it('reconnects after a drop the server cannot resume: rejoins, republishes the same track muted, resubscribes, merges chat', async () => {
    const tandem = await started();
    tandem.producers = [{ producerId: 'a-mic', peerId: 'agent1', kind: 'audio', source: 'mic', paused: false }];
    tandem.chat = [line('m1', 1)];
    const room = await join(tandem);
    const track = camera();
    await room.publish(track, 'camera');
    await room.setMuted('camera', true);
    await vi.waitFor(() => expect(room.remoteTracks.size).toBe(1));
    const states: string[] = [];
    room.on('connectionStateChanged', (state) => states.push(state));
    const events: string[] = [];
    room.on('trackUnsubscribed', (t) => events.push(`unsub:${t.consumerId}`));
    room.on('trackSubscribed', (t) => events.push(`sub:${t.consumerId}`));
    room.on('chatMessage', (m) => events.push(`chat:${m.messageId}`));
    const [oldConsumer] = [...room.remoteTracks.keys()];

    tandem.chat = [line('m1', 1), line('m2', 2)];
    tandem.last.socket.terminate();
    await vi.waitFor(() => expect(tandem.calls).toHaveLength(3)); // a refused resume, then a fresh join
    expect(methods(tandem.calls[1]!)).toEqual(['resume']);
    await vi.waitFor(() => expect(room.remoteTracks.size).toBe(1));
    await vi.waitFor(() => expect(methods(tandem.last)).toContain('pauseProducer'));

    expect(states).toEqual(['reconnecting', 'connected']);
    const rejoin = tandem.last.requests[0];
    expect(rejoin).toMatchObject({ method: 'join', params: { token: 'customer-call-token-0001' } });
    expect(tandem.last.requests.find((r) => r.method === 'produce')?.params).toMatchObject({ source: 'camera' });
    const publication = room.localPublications.get('camera');
    expect(publication?.track).toBe(track);
    expect(publication?.muted).toBe(true);
    expect(track.readyState).toBe('live');
    const [newConsumer] = [...room.remoteTracks.keys()];
    expect(newConsumer).not.toBe(oldConsumer);
    expect(events).toEqual([`unsub:${oldConsumer}`, 'chat:m2', `sub:${newConsumer}`]);
    expect(room.chat.map((message) => message.messageId)).toEqual(['m1', 'm2']);
  });

  it('stays closed when replaced by another tab', async () => {
    const tandem = await started();
    const room = await join(tandem);
    const replaced = new Promise((resolve) => room.on('replaced', () => resolve(room.connectionState)));
    tandem.notify('replaced', {});
    await replaced;
    await vi.waitFor(() => expect(room.connectionState).toBe('disconnected'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(tandem.calls).toHaveLength(1);
    await expect(room.sendChat('still there?')).rejects.toMatchObject({ reason: 'BAD_STATE' });
  });

  it('ends the call for everyone on sessionEnded and releases the camera', async () => {
    const tandem = await started();
    const room = await join(tandem);
    const track = camera();
    await room.publish(track, 'camera');
    const reason = new Promise((resolve) => room.on('sessionEnded', resolve));
    tandem.notify('sessionEnded', { reason: 'ended-by-agent' });
    await expect(reason).resolves.toBe('ended-by-agent');
    expect(room.connectionState).toBe('disconnected');
    expect(track.readyState).toBe('ended');
  });

  it('gives up with CONNECTION_LOST when the server stays away', async () => {
    const tandem = await started();
    const room = await join(tandem, { reconnectPolicy: { nextRetryDelayMs: (attempt) => (attempt <= 3 ? 30 : null) } });
    const failure = new Promise<RoomError>((resolve) => room.on('error', resolve));
    await tandem.stop();
    tandems.length = 0;
    expect((await failure).reason).toBe('CONNECTION_LOST');
    expect(room.connectionState).toBe('disconnected');
  });
});
