import { describe, expect, it } from 'vitest';
import { TandemError } from './errors.js';
import { signControlToken, verifyControlToken } from './controlToken.js';

const SECRET = 'cluster-secret-for-tests';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(TandemError);
    return (error as TandemError).code;
  }
}

describe('control tokens', () => {
  it('round-trips the subject and expires after the ttl (60 s by default)', async () => {
    const now = 1_700_000_000_000;
    const token = await signControlToken(SECRET, { sub: 'signaling-1' }, now);
    expect(token).not.toContain(SECRET);
    expect(await verifyControlToken(SECRET, token, now + 59_999)).toEqual({ sub: 'signaling-1', exp: now + 60_000 });
    expect(await refusal(verifyControlToken(SECRET, token, now + 60_000))).toBe('UNAUTHORIZED');

    const short = await signControlToken(SECRET, { sub: 'sig-ü', ttlMs: 5 }, now);
    expect(await verifyControlToken(SECRET, short, now + 4)).toEqual({ sub: 'sig-ü', exp: now + 5 });
    expect(await refusal(verifyControlToken(SECRET, short, now + 5))).toBe('UNAUTHORIZED');
  });

  it('refuses a token signed with another secret, or with its payload or signature altered', async () => {
    const token = await signControlToken(SECRET, { sub: 'signaling-1' });
    const forged = await signControlToken('other-secret', { sub: 'signaling-1' });
    expect(await refusal(verifyControlToken(SECRET, forged))).toBe('UNAUTHORIZED');

    const [payload, signature] = token.split('.') as [string, string];
    const otherPayload = (await signControlToken(SECRET, { sub: 'signaling-2', ttlMs: 3_600_000 })).split('.')[0]!;
    expect(await refusal(verifyControlToken(SECRET, `${otherPayload}.${signature}`))).toBe('UNAUTHORIZED');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    expect(await refusal(verifyControlToken(SECRET, `${payload}.${flipped}`))).toBe('UNAUTHORIZED');
    expect(await verifyControlToken(SECRET, token)).toMatchObject({ sub: 'signaling-1' });
  });

  it('refuses malformed tokens with UNAUTHORIZED, never another error', async () => {
    const token = await signControlToken(SECRET, { sub: 's' });
    const bad: unknown[] = ['', '.', 'a.b.c', `${token}.x`, `${token}=`, 'x'.repeat(5000), '%%%.$$$', null, 42, { token }];
    for (const candidate of bad) expect(await refusal(verifyControlToken(SECRET, candidate as string))).toBe('UNAUTHORIZED');
    expect(await refusal(verifyControlToken('', token))).toBe('UNAUTHORIZED');
  });

  it('refuses to sign without a subject, a secret or a positive ttl', async () => {
    expect(await refusal(signControlToken(SECRET, { sub: '' }))).toBe('BAD_PARAMS');
    expect(await refusal(signControlToken(SECRET, { sub: 's', ttlMs: 0 }))).toBe('BAD_PARAMS');
    expect(await refusal(signControlToken(SECRET, { sub: 's', ttlMs: Number.NaN }))).toBe('BAD_PARAMS');
    expect(await refusal(signControlToken('', { sub: 's' }))).toBe('BAD_PARAMS');
  });
});
