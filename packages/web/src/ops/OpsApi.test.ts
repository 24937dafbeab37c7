import { describe, expect, it } from 'vitest';
import { OpsApi, type FetchFunction } from './OpsApi.js';
import type { OpsNode } from './OpsTypes.js';

const node: OpsNode = {
  nodeId: 'sfu-a', state: 'SERVING', controlUrl: 'ws://10.0.0.1:3000/control', updatedAt: 1, ageMs: 400,
  load: { rooms: 1, peers: 2, consumers: 2, cpu: 0.1, bitrateBps: 900_000 }, maxConsumers: 500,
};

function server(status: number, body: unknown): FetchFunction & { calls: { url: string; init: RequestInit | undefined }[] } {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
  return Object.assign(fetch, { calls });
}

describe('OpsApi', () => {
  it('lists nodes with the token in the Authorization header, never in the URL', async () => {
    const fetch = server(200, { nodes: [node] });
    const api = new OpsApi('https://support.example/', fetch);
    expect(await api.listNodes('s3cret-token')).toEqual([node]);
    const call = fetch.calls[0]!;
    expect(call.url).toBe('https://support.example/api/ops/nodes');
    expect(call.url).not.toContain('s3cret');
    expect((call.init?.headers as Record<string, string>).authorization).toBe('Bearer s3cret-token');
    expect(call.init?.method).toBe('GET');
  });

  it('posts drain and resume for the node, its id escaped', async () => {
    const fetch = server(202, { nodeId: 'a b', requestedState: 'DRAINING' });
    const api = new OpsApi('http://x', fetch);
    await api.drain('t', 'a b');
    await api.resume('t', 'sfu.1');
    expect(fetch.calls.map((c) => [c.init?.method, c.url])).toEqual([
      ['POST', 'http://x/api/ops/nodes/a%20b/drain'],
      ['POST', 'http://x/api/ops/nodes/sfu.1/resume'],
    ]);
  });

  it('turns server errors into their code, and anything unreadable into a page reason', async () => {
    const reasonOf = async (fetch: FetchFunction, call: (api: OpsApi) => Promise<unknown> = (a) => a.listNodes('t')) =>
      call(new OpsApi('http://x', fetch)).then(() => 'resolved', (e: { reason: string }) => e.reason);
    expect(await reasonOf(server(401, { error: { code: 'UNAUTHORIZED', message: 'no' } }))).toBe('UNAUTHORIZED');
    expect(await reasonOf(server(503, { error: { code: 'COORDINATION_UNAVAILABLE', message: 'down' } }))).toBe('COORDINATION_UNAVAILABLE');
    expect(await reasonOf(server(404, { error: { code: 'NOT_FOUND', message: 'x' } }), (a) => a.drain('t', 'n'))).toBe('NOT_FOUND');
    expect(await reasonOf(server(502, '<html>bad gateway</html>'))).toBe('INTERNAL');
    expect(await reasonOf(server(500, { error: { code: '__proto__' } }))).toBe('INTERNAL');
    expect(await reasonOf(server(200, 'null'))).toBe('BAD_MESSAGE');
    expect(await reasonOf(server(200, { nodes: 'many' }))).toBe('BAD_MESSAGE');
    expect(await reasonOf(async () => Promise.reject(new TypeError('Failed to fetch')))).toBe('CONNECTION_LOST');
  });
});
