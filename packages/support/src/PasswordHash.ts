import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Current parameters; the encoding carries them, so hashes made with older ones still verify. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 64;
const SALT_BYTES = 16;
/** Refuse stored parameters that would make one login eat the machine. */
const MAX_N = 1 << 20;

interface ScryptParams {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, keyBytes: number, n: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$key` with base64url salt and key. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function decode(encoded: string): ScryptParams | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  const validN = Number.isInteger(n) && n > 1 && n <= MAX_N && (n & (n - 1)) === 0;
  const validRp = Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16;
  if (!validN || !validRp || salt.length < 8 || key.length < 16 || key.length > 256) return null;
  return { n, r, p, salt, key };
}

/** Compares in constant time; a malformed stored hash simply never matches. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const params = decode(encoded);
  if (!params) {
    await spendHash(password);
    return false;
  }
  const key = await derive(password, params.salt, params.key.length, params.n, params.r, params.p);
  return timingSafeEqual(key, params.key);
}

let decoy: Promise<string> | undefined;

/** Does the work of a verification against nothing, so an unknown email costs what a known one does. */
export async function spendHash(password: string): Promise<void> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
}

/** True when the hash was made with weaker parameters than today's and should be redone. */
export function needsRehash(encoded: string): boolean {
  const params = decode(encoded);
  return !params || params.n < N || params.r < R || params.p < P || params.key.length < KEY_BYTES;
}
