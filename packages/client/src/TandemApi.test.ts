import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TandemApi } from './TandemApi.js';
import type { RoomError } from './RoomTypes.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An HTTP server that records each request and answers with `reply(request)`. */
async function serve(reply: (seen: Seen) => { status: number; body: string }): Promise<{ api: TandemApi; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const request = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: raw ? JSON.parse(raw) : undefined };
    seen.push(request);
    const { status, body } = reply(request);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { api: new TandemApi(`http://127.0.0.1:${port}/`), seen };
}

async function failure(promise: Promise<unknown>): Promise<RoomError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: RoomError) => error,
  );
}

describe('TandemApi', () => {
  it('logs in with a JSON body and uses the console token as a Bearer header', async () => {
    const { api, seen } = await serve(({ url }) =>
      url.endsWith('/login')
        ? { status: 200, body: JSON.stringify({ token: 'console-1', expiresAt: 1, agent: { agentId: 'a1', email: 'ada@x.io', displayName: 'Ada' } }) }
        : { status: 200, body: JSON.stringify({ sessions: [{ sessionId: 's1' }] }) },
    );
    const login = await api.login('ada@x.io', 'pw');
    const sessions = await api.listSessions(login.token);
    expect(sessions).toEqual([{ sessionId: 's1' }]);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/agent/login', body: { email: 'ada@x.io', password: 'pw' } });
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/api/v1/sessions', authorization: 'Bearer console-1' });
  });

  it('redeems a join code, escaping it into the path', async () => {
    const { api, seen } = await serve(() => ({ status: 200, body: JSON.stringify({ token: 'call', sessionId: 's1', role: 'customer', expiresAt: 2 }) }));
    await expect(api.redeemJoinCode('AB/CD', 'Cleo')).resolves.toMatchObject({ token: 'call', role: 'customer' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/join/AB%2FCD', body: { displayName: 'Cleo' } });
  });

  it("throws the server's error code as a RoomError", async () => {
    const { api } = await serve(() => ({ status: 410, body: JSON.stringify({ error: { code: 'CODE_EXPIRED', message: 'link expired' } }) }));
    const error = await failure(api.redeemJoinCode('ABCD1234'));
    expect(error.reason).toBe('CODE_EXPIRED');
    expect(error.message).toBe('link expired');
  });

  it('reports a non-JSON failure as INTERNAL and an unreachable server as CONNECTION_LOST', async () => {
    const { api } = await serve(() => ({ status: 502, body: '<html>bad gateway</html>' }));
    expect((await failure(api.createSession('t'))).reason).toBe('INTERNAL');
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = null;
    expect((await failure(api.routerCapabilities())).reason).toBe('CONNECTION_LOST');
  });
});
