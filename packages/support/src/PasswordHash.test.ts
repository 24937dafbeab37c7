import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './PasswordHash.js';

describe('password hashing', () => {
  it('encodes its parameters and a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(a).not.toBe(b);
    expect(needsRehash(a)).toBe(false);
  });

  it('still verifies a hash made with other (older) parameters, and flags it for rehash', async () => {
    // Built by hand with N=1024, the way an older release might have stored it.
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const key = scryptSync('old password', salt, 32, { N: 1024, r: 8, p: 1 });
    const old = ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(await verifyPassword('old password', old)).toBe(true);
    expect(await verifyPassword('old passwore', old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it('a malformed stored hash never matches', async () => {
    for (const bad of ['', 'scrypt$', 'bcrypt$x', 'scrypt$99999999$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });
});
