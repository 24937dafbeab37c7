import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signControlToken, type ControlResponse } from '@tandem/protocol';
import { SfuControlServer, createSfuNode, type SfuNode } from './index.js';

const SECRET = 'control-secret-for-tests';
const VP8_PARAMS = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 4242 }] };

interface Peer {
  ws: WebSocket;
  frames: unknown[];
  /** Sends a request and waits for the response with that id (or null-id error). */
  call(frame: unknown, id?: number | null): Promise<ControlResponse>;
  next(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

describe('SfuControlServer', () => {
  let node: SfuNode;
  let server: http.Server;
  let control: SfuControlServer;
  let url: string;
  const logLines: string[] = [];
  const logger = {
    info: (o: object, m?: string) => logLines.push(JSON.stringify(o) + (m ?? '')),
    warn: (o: object, m?: string) => logLines.push(JSON.stringify(o) + (m ?? '')),
    error: (o: object, m?: string) => logLines.push(JSON.stringify(o) + (m ?? '')),
    debug: () => {},
  };

  beforeAll(async () => {
    node = await createSfuNode({ nodeId: 'control-server-test', numWorkers: 1, rtcPort: 0 });
    control = new SfuControlServer(node, { secret: SECRET, logger, pingIntervalMs: 150 });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      if (!control.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await control?.close();
    await new Promise((resolve) => server?.close(resolve));
    await node?.close();
  });

  /** Resolves with the open socket, or with the HTTP status that refused the upgrade. */
  function dial(token: string | null, path = '/control', options: WebSocket.ClientOptions = {}): Promise<Peer | number> {
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    const ws = new WebSocket(`${url}${path}`, { headers, ...options });
    const frames: Record<string, unknown>[] = [];
    const waiters = new Set<() => void>();
    ws.on('message', (data) => {
      frames.push(JSON.parse(String(data)) as Record<string, unknown>);
      for (const wake of [...waiters]) wake();
    });
    const next = (match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching frame')), 3000);
        const check = (): void => {
          const found = frames.find(match);
          if (!found) return;
          frames.splice(frames.indexOf(found), 1);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    const call = (frame: unknown, id: number | null = (frame as { id?: number }).id ?? null): Promise<ControlResponse> => {
      ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
      return next((f) => 'ok' in f && f.id === id) as Promise<ControlResponse>;
    };
    return new Promise((resolve) => {
      ws.once('open', () => resolve({ ws, frames, call, next }));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
  }

  const bye = (...peers: Peer[]): Promise<unknown> =>
    Promise.all(peers.map((p) => new Promise((resolve) => (p.ws.once('close', resolve), p.ws.close()))));

  const open = async (sub = 'signaling-test'): Promise<Peer> => {
    const peer = await dial(await signControlToken(SECRET, { sub }));
    if (typeof peer === 'number') throw new Error(`refused with ${peer}`);
    return peer;
  };

  it('refuses missing, forged and expired tokens with 401 before upgrading, and logs no token', async () => {
    const forged = await signControlToken('not-the-secret', { sub: 'intruder' });
    const expired = await signControlToken(SECRET, { sub: 'late', ttlMs: 1000 }, Date.now() - 5000);
    const valid = await signControlToken(SECRET, { sub: 'signaling-a' });
    expect(await dial(null)).toBe(401);
    expect(await dial(forged)).toBe(401);
    expect(await dial(expired)).toBe(401);
    expect(await dial(`${valid}x`)).toBe(401);
    expect(control.clientCount).toBe(0);
    // Another path is left to the caller's router.
    expect(await dial(valid, '/elsewhere')).toBe(404);

    const peer = await open('signaling-a');
    expect(control.clientCount).toBe(1);
    const log = logLines.join('\n');
    expect(log).toContain('signaling-a');
    for (const token of [forged, expired, valid]) expect(log).not.toContain(token);
    await bye(peer);
  });

  it('answers garbage with typed errors and keeps serving everyone', async () => {
    const bad = await open('garbage-sender');
    const good = await open('well-behaved');
    const errorCode = (r: ControlResponse) => (r.ok ? 'ok' : r.error.code);

    expect(errorCode(await bad.call('{not json', null))).toBe('BAD_JSON');
    expect(errorCode(await bad.call({ id: 1, verb: 'openRoom' }, 1))).toBe('BAD_MESSAGE');
    expect(errorCode(await bad.call({ id: 2, method: 'teleport', params: {} }))).toBe('UNKNOWN_METHOD');
    expect(errorCode(await bad.call({ id: 3, method: 'openRoom', params: { roomId: 42 } }))).toBe('BAD_PARAMS');
    expect(errorCode(await bad.call({ id: 4, method: 'connectTransport', params: { roomId: 'x', transportId: 'y', dtlsParameters: 'z' } }))).toBe('NOT_FOUND');
    expect(errorCode(await bad.call(Buffer.from([1, 2, 3]), null))).toBe('BAD_MESSAGE');
    const huge = JSON.stringify({ id: 5, method: 'openRoom', params: { roomId: 'r', pad: 'x'.repeat(70_000) } });
    expect(errorCode(await bad.call(huge, null))).toBe('FRAME_TOO_LARGE');

    const opened = await good.call({ id: 1, method: 'openRoom', params: { roomId: 'served' } });
    expect(opened).toMatchObject({ id: 1, ok: true, data: { routerRtpCapabilities: { codecs: expect.any(Array) } } });
    expect(errorCode(await bad.call({ id: 6, method: 'nodeStats', params: {} }))).toBe('ok');
    expect(control.clientCount).toBe(2);
    // None of the garbage opened anything.
    expect(await node.request('nodeStats', {})).toMatchObject({ rooms: 1, transports: 0 });
    await node.request('closeRoom', { roomId: 'served' });
    await bye(bad, good);
  });

  it('forwards node events to every connected client', async () => {
    const [a, b] = [await open('sig-a'), await open('sig-b')];
    const roomId = 'events';
    const { routerRtpCapabilities } = await node.request('openRoom', { roomId });
    const send = await node.request('createTransport', { roomId, peerId: 'alice', direction: 'send' });
    const recv = await node.request('createTransport', { roomId, peerId: 'bob', direction: 'recv' });
    const { producerId } = await node.request('produce', {
      roomId, peerId: 'alice', transportId: send.id, kind: 'video', source: 'camera', rtpParameters: VP8_PARAMS,
    });
    const consumer = await node.request('consume', {
      roomId, peerId: 'bob', transportId: recv.id, producerId, rtpCapabilities: routerRtpCapabilities,
    });
    await node.request('closeProducer', { roomId, producerId });
    const expected = { event: 'consumerClosed', args: [{ roomId, peerId: 'bob', consumerId: consumer.id, producerId }] };
    for (const peer of [a, b]) expect(await peer.next((f) => f.event === 'consumerClosed')).toEqual(expected);
    await node.request('closeRoom', { roomId });
    await bye(a, b);
  });

  it('drops a client that stops answering pings', async () => {
    const mute = await dial(await signControlToken(SECRET, { sub: 'mute' }), '/control', { autoPong: false });
    if (typeof mute === 'number') throw new Error('refused');
    const closed = new Promise<void>((resolve) => mute.ws.once('close', () => resolve()));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(logLines.join('\n')).toMatch(/"sub":"mute".*missed a pong/);
  });

  it('close() disconnects its clients and refuses new ones', async () => {
    const peer = await open('closing');
    const closed = new Promise<number>((resolve) => peer.ws.once('close', (code) => resolve(code)));
    await control.close();
    expect(await closed).toBe(1001);
    expect(control.clientCount).toBe(0);
    expect(await dial(await signControlToken(SECRET, { sub: 'late' }))).toBe(503);
  });
});
