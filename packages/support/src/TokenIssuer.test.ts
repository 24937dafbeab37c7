import { createHmac } from 'node:crypto';
import { TandemError } from '@tandem/protocol';
import { describe, expect, it } from 'vitest';
import { TokenIssuer } from './TokenIssuer.js';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const agent = { agentId: 'agt_sam', displayName: 'Sam' };

function codeOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return error instanceof TandemError ? error.code : `not a TandemError: ${String(error)}`;
  }
  return 'accepted';
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenIssuer', () => {
  it('refuses a secret shorter than 32 bytes', () => {
    expect(codeOf(() => new TokenIssuer('too short'))).toBe('BAD_PARAMS');
    expect(codeOf(() => new TokenIssuer(Buffer.alloc(31, 7)))).toBe('BAD_PARAMS');
    expect(codeOf(() => new TokenIssuer(Buffer.alloc(32, 7)))).toBe('accepted');
  });

  it('a console token grants the console to that agent and nothing else', () => {
    const issuer = new TokenIssuer(SECRET, () => 1_700_000_000_000);
    const { token, expiresAt } = issuer.issueConsoleToken(agent, 3_600_000);
    const grants = issuer.verify(token, 'console');
    expect(grants).toMatchObject({ scope: 'console', role: 'agent', agentId: 'agt_sam', displayName: 'Sam', expiresAt });
    expect(codeOf(() => issuer.verify(token, 'call'))).toBe('UNAUTHORIZED');
  });

  it('a call token is bound to one session and role; a customer one says customer', () => {
    const issuer = new TokenIssuer(SECRET);
    const { token } = issuer.issueCallToken(
      { sessionId: 'ses_1', role: 'customer', subject: 'cus_9', displayName: 'Alex' },
      60_000,
    );
    expect(issuer.verify(token, 'call')).toMatchObject({ scope: 'call', role: 'customer', sessionId: 'ses_1', subject: 'cus_9' });
    expect(codeOf(() => issuer.verify(token, 'console'))).toBe('UNAUTHORIZED');
  });

  it('each token is unique (jti) even when issued in the same millisecond', () => {
    const issuer = new TokenIssuer(SECRET, () => 5_000);
    const a = issuer.issueConsoleToken(agent, 60_000);
    const b = issuer.issueConsoleToken(agent, 60_000);
    expect(a.token).not.toBe(b.token);
    expect(issuer.verify(a.token, 'console').tokenId).not.toBe(issuer.verify(b.token, 'console').tokenId);
  });

  it('expires at its ttl with an injected clock', () => {
    let now = 1_700_000_000_000;
    const issuer = new TokenIssuer(SECRET, () => now);
    const { token } = issuer.issueConsoleToken(agent, 10_000);
    now += 9_000;
    expect(codeOf(() => issuer.verify(token, 'console'))).toBe('accepted');
    now += 1_000;
    expect(codeOf(() => issuer.verify(token, 'console'))).toBe('UNAUTHORIZED');
  });

  it('rejects tampering: a changed claim, another secret, a swapped signature', () => {
    const issuer = new TokenIssuer(SECRET);
    const { token } = issuer.issueCallToken({ sessionId: 'ses_1', role: 'customer', subject: 'c', displayName: 'C' }, 60_000);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;

    const promoted = `${header}.${b64({ ...claims, role: 'agent' })}.${signature}`;
    const otherSession = `${header}.${b64({ ...claims, sid: 'ses_2' })}.${signature}`;
    const foreign = new TokenIssuer(`${SECRET}-other`).issueCallToken(
      { sessionId: 'ses_1', role: 'agent', subject: 'c', displayName: 'C' },
      60_000,
    ).token;
    const flippedSig = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const bad of [promoted, otherSession, foreign, flippedSig]) {
      expect(codeOf(() => issuer.verify(bad, 'call'))).toBe('UNAUTHORIZED');
    }
  });

  it('rejects alg none, other algorithms and malformed tokens, without quoting them', () => {
    const issuer = new TokenIssuer(SECRET);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'x', role: 'agent', scope: 'console', name: 'X', iat: now, exp: now + 600, jti: 'j' };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const noneWithSig = `${b64({ alg: 'none' })}.${b64(claims)}.AAAA`;
    // HS512 header signed correctly with our own secret must still be refused.
    const h512 = b64({ alg: 'HS512', typ: 'JWT' });
    const sig512 = createHmac('sha512', SECRET).update(`${h512}.${b64(claims)}`).digest('base64url');
    const hs512 = `${h512}.${b64(claims)}.${sig512}`;
    const garbage = ['', 'abc', 'a.b', 'a.b.c.d', '...', `${'x'.repeat(5000)}.y.z`, 'é.é.é'];
    for (const bad of [none, noneWithSig, hs512, ...garbage]) {
      let thrown: unknown;
      try {
        issuer.verify(bad, 'console');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TandemError);
      expect((thrown as TandemError).code).toBe('UNAUTHORIZED');
      if (bad.length > 3) expect((thrown as TandemError).message).not.toContain(bad);
    }
    expect(codeOf(() => issuer.verify(undefined as unknown as string, 'console'))).toBe('UNAUTHORIZED');
  });

  it('a correctly signed token with ill-typed claims is refused', () => {
    const issuer = new TokenIssuer(SECRET);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: unknown): string => {
      const body = `${header}.${b64(claims)}`;
      return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
    };
    const base = { sub: 'x', role: 'customer', scope: 'call', sid: 's', name: 'X', iat: now, exp: now + 600, jti: 'j' };
    expect(codeOf(() => issuer.verify(sign(base), 'call'))).toBe('accepted');
    for (const bad of [{ ...base, role: 'admin' }, { ...base, sid: undefined }, { ...base, exp: 'later' }, { ...base, scope: 'console' }]) {
      expect(codeOf(() => issuer.verify(sign(bad), 'call'))).toBe('UNAUTHORIZED');
    }
    // A console token must be an agent's and name no session.
    const consoleBase = { ...base, scope: 'console', sid: undefined, role: 'agent' };
    expect(codeOf(() => issuer.verify(sign(consoleBase), 'console'))).toBe('accepted');
    expect(codeOf(() => issuer.verify(sign({ ...consoleBase, role: 'customer' }), 'console'))).toBe('UNAUTHORIZED');
    expect(codeOf(() => issuer.verify(sign({ ...consoleBase, sid: 's' }), 'console'))).toBe('UNAUTHORIZED');
  });
});
