import { randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a code read aloud or retyped survives. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 characters × 5 bits = 60 bits: unguessable within a code's lifetime behind rate limits. */
export const JOIN_CODE_LENGTH = 12;

export function newJoinCode(): string {
  // 256 is a multiple of 32, so keeping the low 5 bits of each byte is unbiased.
  const bytes = randomBytes(JOIN_CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += CROCKFORD_ALPHABET[byte & 31];
  return code;
}

/**
 * The canonical form of what someone typed or tapped: upper-case, I/L read as 1, O as 0,
 * spaces and dashes dropped. Null when it cannot be a join code.
 */
export function normalizeJoinCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const char of code) if (!CROCKFORD_ALPHABET.includes(char)) return null;
  return code;
}
