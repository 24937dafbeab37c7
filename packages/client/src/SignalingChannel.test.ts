import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { RoomError } from './RoomTypes.js';
import { SignalingChannel, type SignalingChannelOptions } from './SignalingChannel.js';

const WebSocketImpl = NodeWebSocket as unknown as SignalingChannelOptions['WebSocket'];

interface TestServer {
  url: string;
  /** Resolves with the server side of the next connection. */
  nextSocket: () => Promise<ServerSocket>;
  /** Parsed frames the server received, in order. */
  received: Array<{ id: number; method: string; params?: unknown }>;
  close: () => Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(): Promise<TestServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const received: TestServer['received'] = [];
  const waiting: Array<(socket: ServerSocket) => void> = [];
  const arrived: ServerSocket[] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    const waiter = waiting.shift();
    if (waiter) waiter(socket);
    else arrived.push(socket);
  });
  const server: TestServer = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    nextSocket: () => {
      const socket = arrived.shift();
      return socket ? Promise.resolve(socket) : new Promise((resolve) => waiting.push(resolve));
    },
    received,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
  servers.push(server);
  return server;
}

async function connected(options: SignalingChannelOptions = {}) {
  const server = await startServer();
  const [channel, socket] = await Promise.all([
    SignalingChannel.connect(server.url, { WebSocket: WebSocketImpl, ...options }),
    server.nextSocket(),
  ]);
  return { server, channel, socket };
}

/** Waits until the server has received `count` frames. */
async function framesArrived(server: TestServer, count: number): Promise<void> {
  await vi.waitFor(() => expect(server.received.length).toBeGreaterThanOrEqual(count));
}

async function rejection(promise: Promise<unknown>): Promise<RoomError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RoomError);
  return error as RoomError;
}

describe('SignalingChannel', () => {
  it('matches each reply to its own request by id, whatever the order of replies', async () => {
    const { server, channel, socket } = await connected();
    const first = channel.request('consume', { producerId: 'p1' });
    const second = channel.request('restartIce', { transportId: 't1' });
    await framesArrived(server, 2);
    const [a, b] = server.received;
    expect(a).toMatchObject({ method: 'consume', params: { producerId: 'p1' } });
    expect(b).toMatchObject({ method: 'restartIce', params: { transportId: 't1' } });
    expect(a?.id).not.toBe(b?.id);
    // Answer the second request first.
    socket.send(JSON.stringify({ id: b?.id, ok: true, data: { iceParameters: { usernameFragment: 'second' } } }));
    socket.send(JSON.stringify({ id: a?.id, ok: true, data: { id: 'c1', producerId: 'p1' } }));
    await expect(second).resolves.toEqual({ iceParameters: { usernameFragment: 'second' } });
    await expect(first).resolves.toEqual({ id: 'c1', producerId: 'p1' });
  });

  it('rejects a request that gets no reply in time, and ignores the reply that comes later', async () => {
    const { server, channel, socket } = await connected({ requestTimeoutMs: 100 });
    const errors: RoomError[] = [];
    channel.on('error', (error) => errors.push(error));
    const started = Date.now();
    const error = await rejection(channel.request('leave', {}));
    expect(error.reason).toBe('CONNECTION_LOST');
    expect(error.message).toContain('leave');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    // The late reply settles nothing and breaks nothing; the channel keeps working.
    socket.send(JSON.stringify({ id: server.received[0]?.id, ok: true, data: {} }));
    const next = channel.request('leave', {});
    await framesArrived(server, 2);
    socket.send(JSON.stringify({ id: server.received[1]?.id, ok: true, data: { fine: true } }));
    await expect(next).resolves.toEqual({ fine: true });
    expect(errors).toEqual([]);
  });

  it('waits 10 seconds by default before giving up on a reply', async () => {
    const { channel } = await connected();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pending = channel.request('endSession', {});
    const settled = vi.fn();
    pending.then(settled, settled);
    await vi.advanceTimersByTimeAsync(9_990);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(20);
    expect((await rejection(pending)).reason).toBe('CONNECTION_LOST');
  });

  it('turns a server error reply into a RoomError with the server code and message', async () => {
    const { server, channel, socket } = await connected();
    const refused = channel.request('requestScreen', {});
    const odd = channel.request('requestScreen', {});
    await framesArrived(server, 2);
    socket.send(JSON.stringify({ id: server.received[0]?.id, ok: false, error: { code: 'FORBIDDEN', message: 'agents only' } }));
    socket.send(JSON.stringify({ id: server.received[1]?.id, ok: false, error: { code: 'NO_SUCH_CODE', message: 'x' } }));
    const error = await rejection(refused);
    expect(error.reason).toBe('FORBIDDEN');
    expect(error.message).toBe('agents only');
    // A code this client does not know is still a typed error.
    expect((await rejection(odd)).reason).toBe('INTERNAL');
  });

  it('ignores garbage frames with an error event and keeps serving requests and notifications', async () => {
    const { server, channel, socket } = await connected();
    const errors: RoomError[] = [];
    channel.on('error', (error) => errors.push(error));
    const peers: unknown[] = [];
    channel.on('peerLeft', (params, seq) => peers.push({ params, seq }));
    const pending = channel.request('leave', {});
    await framesArrived(server, 1);
    for (const garbage of ['{not json', '[1,2,3]', '42', 'null', '{"ok":"yes","id":1}', '{"id":"x","ok":true}', '{"params":{}}']) {
      socket.send(garbage);
    }
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(JSON.stringify({ method: 'peerLeft', params: { peerId: 'bob' }, seq: 7 }));
    socket.send(JSON.stringify({ id: server.received[0]?.id, ok: true, data: { bye: true } }));
    await expect(pending).resolves.toEqual({ bye: true });
    expect(peers).toEqual([{ params: { peerId: 'bob' }, seq: 7 }]);
    expect(errors).toHaveLength(8);
    expect(errors.every((error) => error.reason === 'BAD_MESSAGE')).toBe(true);
  });

  it('dispatches hello and every notification by method, typed, with its seq', async () => {
    const { channel, socket } = await connected();
    const notices: string[] = [];
    channel.on('notification', (notice) => notices.push(`${notice.method}#${notice.seq}`));
    const chat = new Promise((resolve) => channel.on('chatMessage', (params) => resolve(params.message.text)));
    socket.send(JSON.stringify({ method: 'hello', params: { protocolVersion: 1, serverId: 'node-a' }, seq: 0 }));
    socket.send(JSON.stringify({ method: 'chatMessage', params: { message: { text: 'hi there' } }, seq: 1 }));
    await expect(channel.hello()).resolves.toEqual({ protocolVersion: 1, serverId: 'node-a' });
    await expect(chat).resolves.toBe('hi there');
    expect(notices).toEqual(['hello#0', 'chatMessage#1']);
  });

  it('rejects every pending request with CONNECTION_LOST when the socket closes', async () => {
    const { server, channel, socket } = await connected();
    const closed = new Promise((resolve) => channel.on('closed', resolve));
    const one = channel.request('leave', {});
    const two = channel.request('consume', { producerId: 'p' });
    await framesArrived(server, 2);
    socket.terminate();
    expect((await rejection(one)).reason).toBe('CONNECTION_LOST');
    expect((await rejection(two)).reason).toBe('CONNECTION_LOST');
    await expect(closed).resolves.toMatchObject({ byClient: false });
    expect(channel.isOpen).toBe(false);
    // Nothing is sent on a dead channel; the caller learns at once.
    expect((await rejection(channel.request('leave', {}))).reason).toBe('CONNECTION_LOST');
    await expect(channel.hello()).rejects.toBeInstanceOf(RoomError);
  });

  it('rejects pending requests when the client closes the channel itself', async () => {
    const { server, channel } = await connected();
    const closed = new Promise((resolve) => channel.on('closed', resolve));
    const pending = channel.request('leave', {});
    await framesArrived(server, 1);
    channel.close();
    expect((await rejection(pending)).reason).toBe('CONNECTION_LOST');
    await expect(closed).resolves.toMatchObject({ byClient: true });
  });

  it('refuses an oversized request locally without sending it', async () => {
    const { server, channel } = await connected();
    const error = await rejection(channel.request('sendChat', { text: 'x'.repeat(70_000), clientMessageId: 'm1' }));
    expect(error.reason).toBe('FRAME_TOO_LARGE');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.received).toEqual([]);
    expect(channel.isOpen).toBe(true);
  });

  it('fails to connect with CONNECTION_LOST when nothing listens', async () => {
    const server = await startServer();
    await server.close();
    servers.length = 0;
    const error = await rejection(SignalingChannel.connect(server.url, { WebSocket: WebSocketImpl }));
    expect(error.reason).toBe('CONNECTION_LOST');
  });
});
