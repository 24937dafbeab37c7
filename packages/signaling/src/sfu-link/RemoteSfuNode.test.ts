import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { TandemError, type SfuEvents } from '@tandem/protocol';
// Test-only: a real SFU node and its control endpoint on the other end of the link.
import { SfuControlServer, createSfuNode, type SfuNode } from '@tandem/sfu';
import { RemoteSfuNode, type RemoteSfuNodeOptions } from './RemoteSfuNode.js';
import { codeOf } from '@tandem/protocol/testkit';

const SECRET = 'link-secret-for-tests';
const VP8_PARAMS = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 4242 }] };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    expect(error).toBeInstanceOf(TandemError);
    return (error as TandemError).code;
  }
}

const within = <T>(ms: number, what: string, register: (done: (value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

/** An http server carrying the control endpoint, which the test can crash (sockets destroyed) and bring back. */
class ControlHost {
  port = 0;
  #server: http.Server | undefined;
  readonly #sockets = new Set<Socket>();
  constructor(readonly control: SfuControlServer) {}

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      if (!this.control.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** As a kill -9 looks from outside: every connection cut, nobody listening. */
  async crash(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/control`;
  }
}

describe('RemoteSfuNode', () => {
  let node: SfuNode;
  let control: SfuControlServer;
  let host: ControlHost;
  let remote: RemoteSfuNode;
  const options = (over: Partial<RemoteSfuNodeOptions> = {}): RemoteSfuNodeOptions => ({
    nodeId: 'sfu-a', url: host.url, secret: SECRET, clientId: 'signaling-test', backoff: { initialMs: 50, maxMs: 400 }, ...over,
  });

  beforeAll(async () => {
    node = await createSfuNode({ nodeId: 'sfu-a', numWorkers: 1, rtcPort: 0 });
    control = new SfuControlServer(node, { secret: SECRET });
    host = new ControlHost(control);
    await host.start();
    remote = await RemoteSfuNode.connect(options());
  });
  afterAll(async () => {
    await remote?.close();
    await control?.close();
    await host?.crash();
    await node?.close();
  });

  it('drives the node as an in-process caller would, typed errors included', async () => {
    expect(remote.connected).toBe(true);
    const { routerRtpCapabilities } = await remote.request('openRoom', { roomId: 'remote-room' });
    expect(routerRtpCapabilities).toMatchObject({ codecs: expect.arrayContaining([expect.objectContaining({ mimeType: 'video/VP8' })]) });
    const transport = await remote.request('createTransport', { roomId: 'remote-room', peerId: 'alice', direction: 'send' });
    expect(transport).toMatchObject({ id: expect.any(String), iceCandidates: expect.any(Array), dtlsParameters: expect.any(Object) });

    const badDtls = { roomId: 'remote-room', transportId: transport.id, dtlsParameters: { fingerprints: 'x' } };
    const remoteCode = await codeOf(remote.request('connectTransport', badDtls));
    expect(['BAD_PARAMS', 'MEDIA_ERROR']).toContain(remoteCode);
    expect(remoteCode).toBe(await codeOf(node.request('connectTransport', badDtls)));
    expect(await codeOf(remote.request('connectTransport', { ...badDtls, transportId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(remote.request('createTransport', { roomId: 'remote-room', peerId: 'a', direction: 'up' as never }))).toBe('BAD_PARAMS');
    expect(await codeOf(remote.request('teleport' as never, {} as never))).toBe('UNKNOWN_METHOD');

    expect(await remote.request('nodeStats', {})).toMatchObject({ nodeId: 'sfu-a', rooms: 1, transports: 1 });
    await remote.request('closeRoom', { roomId: 'remote-room' });
    expect(await remote.request('nodeStats', {})).toMatchObject({ rooms: 0, transports: 0 });
  });

  it('delivers the node events', async () => {
    const roomId = 'remote-events';
    const closed: SfuEvents['consumerClosed'][0][] = [];
    remote.on('consumerClosed', (e) => closed.push(e));
    const { routerRtpCapabilities } = await remote.request('openRoom', { roomId });
    const send = await remote.request('createTransport', { roomId, peerId: 'alice', direction: 'send' });
    const recv = await remote.request('createTransport', { roomId, peerId: 'bob', direction: 'recv' });
    const { producerId } = await remote.request('produce', {
      roomId, peerId: 'alice', transportId: send.id, kind: 'video', source: 'camera', rtpParameters: VP8_PARAMS,
    });
    const consumer = await remote.request('consume', { roomId, peerId: 'bob', transportId: recv.id, producerId, rtpCapabilities: routerRtpCapabilities });
    await remote.request('closeProducer', { roomId, producerId });
    await within(2000, 'consumerClosed', (done) => (closed.length > 0 ? done(null) : remote.once('consumerClosed', () => done(null))));
    expect(closed).toEqual([{ roomId, peerId: 'bob', consumerId: consumer.id, producerId }]);
    await remote.request('closeRoom', { roomId });
  });

  it('reports a crashed node at once, fails fast while it is away, and reconnects by itself', async () => {
    const downs: SfuEvents['nodeDown'][0][] = [];
    remote.on('nodeDown', (e) => downs.push(e));
    const pending = codeOf(remote.request('nodeStats', {}));
    const started = Date.now();
    const down = within(1000, 'nodeDown', (done) => remote.once('nodeDown', done));
    await host.crash();
    expect(await down).toMatchObject({ nodeId: 'sfu-a', reason: expect.stringContaining('closed') });
    expect(await pending).toBe('NODE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(remote.connected).toBe(false);

    const refusedAt = Date.now();
    expect(await codeOf(remote.request('openRoom', { roomId: 'while-down' }))).toBe('NODE_UNAVAILABLE');
    expect(Date.now() - refusedAt).toBeLessThan(100);

    const back = within(5000, 'reconnect', (done) => remote.once('connected', () => done(null)));
    await new Promise((r) => setTimeout(r, 300)); // a few redials fail against nothing first
    await host.start();
    await back;
    expect(remote.connected).toBe(true);
    expect(await remote.request('nodeStats', {})).toMatchObject({ nodeId: 'sfu-a' });
    expect(downs).toHaveLength(1);
    expect(control.clientCount).toBe(1);
  });

  it('refuses to connect to nothing, or with the wrong secret, as NODE_UNAVAILABLE', async () => {
    const before = control.clientCount;
    const free = http.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const deadUrl = `ws://127.0.0.1:${(free.address() as AddressInfo).port}/control`;
    await new Promise((resolve) => free.close(resolve));
    expect(await codeOf(RemoteSfuNode.connect(options({ url: deadUrl })))).toBe('NODE_UNAVAILABLE');
    const wrongSecret = RemoteSfuNode.connect(options({ secret: 'guess' }));
    await expect(wrongSecret).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE', message: expect.stringContaining('401') });
    expect(control.clientCount).toBe(before);
    expect(await codeOf(RemoteSfuNode.connect(options({ url: 'http://nope' })))).toBe('BAD_PARAMS');
  });

  it('declares the link dead after missed pings', async () => {
    // A peer that accepts the connection and then says nothing, not even pings.
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => silent.once('listening', resolve));
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/control`;
    const link = await RemoteSfuNode.connect(options({ nodeId: 'sfu-silent', url, heartbeatTimeoutMs: 300 }));
    const pending = codeOf(link.request('nodeStats', {}));
    const down = await within(1500, 'nodeDown', (done) => link.once('nodeDown', done));
    expect(down).toEqual({ nodeId: 'sfu-silent', reason: 'missed pings' });
    expect(await pending).toBe('NODE_UNAVAILABLE');
    await link.close();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('close() rejects what is pending and stops for good', async () => {
    const link = await RemoteSfuNode.connect(options({ clientId: 'short-lived' }));
    expect(control.clientCount).toBe(2);
    const downs: unknown[] = [];
    link.on('nodeDown', (e) => downs.push(e));
    const pending = codeOf(link.request('nodeStats', {}));
    await link.close();
    expect(await pending).toBe('NODE_UNAVAILABLE');
    expect(await codeOf(link.request('nodeStats', {}))).toBe('NODE_UNAVAILABLE');
    await new Promise((r) => setTimeout(r, 300));
    expect(link.connected).toBe(false);
    expect(control.clientCount).toBe(1);
    expect(downs).toEqual([]);
  });
});
