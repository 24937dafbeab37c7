import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedSession, LoginReply } from '@tandem/protocol';
import { SignalingClient } from './SignalingClient.js';
import { TEST_AGENT, http, openSupportCall, startTestTandem, type TestTandem } from './tandem.js';

let tandem: TestTandem;
beforeAll(async () => {
  tandem = await startTestTandem();
});
afterAll(async () => tandem?.stop());

describe('HTTP API', () => {
  it('signs an agent in only with the right password, and never leaks whether the email exists', async () => {
    const wrong = await http(tandem.url, 'POST', '/api/v1/agent/login', { email: TEST_AGENT.email, password: 'wrong password!' });
    const unknown = await http(tandem.url, 'POST', '/api/v1/agent/login', { email: 'nobody@x.test', password: 'wrong password!' });
    expect(wrong).toEqual({ status: 401, body: { error: { code: 'BAD_CREDENTIALS', message: expect.any(String) } } });
    expect(unknown).toEqual(wrong);
    const right = await http<LoginReply>(tandem.url, 'POST', '/api/v1/agent/login', { email: TEST_AGENT.email.toUpperCase(), password: TEST_AGENT.password });
    expect(right.status).toBe(200);
    expect(right.body.agent.displayName).toBe(TEST_AGENT.displayName);
  });

  it('answers malformed bodies with BAD_PARAMS and changes nothing', async () => {
    const { console: agent } = await openSupportCall(tandem.url);
    const before = await http<{ sessions: unknown[] }>(tandem.url, 'GET', '/api/v1/sessions', undefined, agent.token);
    for (const body of ['{not json', '[]', '{"email":1}', JSON.stringify({ email: 'a@b.c', password: 'x', extra: true })]) {
      const reply = await http<{ error: { code: string } }>(tandem.url, 'POST', '/api/v1/agent/login', body);
      expect(reply.status).toBe(400);
      expect(['BAD_PARAMS', 'BAD_MESSAGE']).toContain(reply.body.error.code);
    }
    const garbage = await http<{ error: { code: string } }>(tandem.url, 'POST', '/api/v1/sessions', { surprise: 1 }, agent.token);
    expect(garbage.status).toBe(400);
    const after = await http<{ sessions: unknown[] }>(tandem.url, 'GET', '/api/v1/sessions', undefined, agent.token);
    expect(after.body.sessions.length).toBe(before.body.sessions.length);
  });

  it('keeps console and call tokens apart, each with only its own grants', async () => {
    const { console: agent, customer } = await openSupportCall(tandem.url);
    const asCustomer = await http<{ error: { code: string } }>(tandem.url, 'GET', '/api/v1/sessions', undefined, customer.token);
    expect(asCustomer.status).toBe(401);
    const noToken = await http(tandem.url, 'POST', '/api/v1/sessions', {});
    expect(noToken.status).toBe(401);
    const client = await SignalingClient.connect(tandem.url);
    await expect(client.join(agent.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await client.close();
  });

  it('refuses unknown codes, and codes of sessions that ended', async () => {
    const unknown = await http<{ error: { code: string } }>(tandem.url, 'POST', '/api/v1/join/ABCDEFGHJKMN', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('CODE_UNKNOWN');
    const { console: agent, session } = await openSupportCall(tandem.url);
    const ended = await http(tandem.url, 'POST', `/api/v1/sessions/${session.sessionId}/end`, {}, agent.token);
    expect(ended.status).toBe(200);
    const again = await http<{ error: { code: string } }>(tandem.url, 'POST', `/api/v1/join/${session.joinCode}`, {});
    expect(again).toMatchObject({ status: 410, body: { error: { code: 'SESSION_ENDED' } } });
  });

  it('issues random join codes of at least 40 bits', async () => {
    const { console: agent } = await openSupportCall(tandem.url);
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const s = await http<CreatedSession>(tandem.url, 'POST', '/api/v1/sessions', {}, agent.token);
      expect(s.body.joinPath).toBe(`/j/${s.body.joinCode}`);
      // Crockford base32: 5 bits a character.
      expect(s.body.joinCode.length * 5).toBeGreaterThanOrEqual(40);
      codes.add(s.body.joinCode);
    }
    expect(codes.size).toBe(5);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await http(tandem.url, 'GET', '/healthz')).status).toBe(200);
    expect((await http(tandem.url, 'GET', '/readyz')).body).toEqual({ ready: true });
    const metrics = await fetch(`${tandem.url}/metrics`).then((r) => r.text());
    for (const name of ['tandem_rooms', 'tandem_peers', 'tandem_transports', 'tandem_producers', 'tandem_consumers', 'tandem_worker_cpu_seconds']) {
      expect(metrics).toContain(name);
    }
  });
});

describe('join codes expire', () => {
  it('refuses a code after its lifetime with CODE_EXPIRED', async () => {
    const short = await startTestTandem({ env: { TANDEM_CODE_TTL_MIN: '0.005' } }); // 300 ms
    try {
      const login = await http<LoginReply>(short.url, 'POST', '/api/v1/agent/login', { email: TEST_AGENT.email, password: TEST_AGENT.password });
      const s = await http<CreatedSession>(short.url, 'POST', '/api/v1/sessions', {}, login.body.token);
      await new Promise((r) => setTimeout(r, 400));
      const late = await http<{ error: { code: string } }>(short.url, 'POST', `/api/v1/join/${s.body.joinCode}`, {});
      expect(late).toMatchObject({ status: 410, body: { error: { code: 'CODE_EXPIRED' } } });
    } finally {
      await short.stop();
    }
  });
});

describe('join-code guessing', () => {
  it('throttles redemptions per client address with RATE_LIMITED', async () => {
    const strict = await startTestTandem({ env: { TANDEM_JOIN_RATE_PER_MIN: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await http(strict.url, 'POST', '/api/v1/join/ABCDEFGHJKMN', {})).status);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
    } finally {
      await strict.stop();
    }
  });
});
