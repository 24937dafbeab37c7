import { describe, expect, it } from 'vitest';
import { CROCKFORD_ALPHABET, JOIN_CODE_LENGTH, newJoinCode, normalizeJoinCode } from './JoinCode.js';

describe('join codes', () => {
  it('are 12 Crockford base32 characters (60 bits) and do not repeat', () => {
    expect(JOIN_CODE_LENGTH * Math.log2(CROCKFORD_ALPHABET.length)).toBeGreaterThanOrEqual(40);
    const codes = Array.from({ length: 5000 }, () => newJoinCode());
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('use every symbol about equally (no biased draw)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) for (const char of newJoinCode()) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (4000 * 12) / 32; // 1500
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.2);
  });

  it('normalize what people type: case, I/L as 1, O as 0, dashes and spaces', () => {
    const code = newJoinCode();
    expect(normalizeJoinCode(code.toLowerCase())).toBe(code);
    expect(normalizeJoinCode('abcd-efgh-jkmn')).toBe('ABCDEFGHJKMN');
    expect(normalizeJoinCode('ilo0 IL1O 2345')).toBe('110011102345');
  });

  it('are null when they cannot be a code', () => {
    for (const bad of ['', 'ABCDEFGHJKM', 'ABCDEFGHJKMNP', 'ABCDEFGHJKMU', 'ABCDEFGH!KMN', '/j/ABCDEFGHJKMN', undefined, 42]) {
      expect(normalizeJoinCode(bad)).toBeNull();
    }
  });
});
