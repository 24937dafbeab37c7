import { describe, expect, it } from 'vitest';
import { isUsableToken, OpsToken } from './OpsToken.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return { data, get: (k: string) => data.get(k) ?? null, set: (k: string, v: string) => void data.set(k, v), remove: (k: string) => void data.delete(k) };
}

describe('OpsToken', () => {
  it('keeps the token across a reload of the tab, and forgets it on lock', () => {
    const storage = memoryStorage();
    new OpsToken(storage).save('ops-token-0123456789abcdef');
    const reloaded = new OpsToken(storage);
    expect(reloaded.load()).toBe('ops-token-0123456789abcdef');
    reloaded.forget();
    expect(new OpsToken(storage).load()).toBeNull();
    expect(storage.data.size).toBe(0);
  });

  it('drops a stored value that could not travel in a header', () => {
    const storage = memoryStorage();
    const token = new OpsToken(storage);
    for (const bad of ['', 'two words', 'line\nbreak', 'ünïcode', 'x'.repeat(1025)]) {
      storage.data.set('tandem.ops.token', bad);
      expect(token.load(), JSON.stringify(bad)).toBeNull();
      expect(storage.data.size).toBe(0);
    }
  });

  it('accepts what an operator would paste and refuses what a header cannot carry', () => {
    expect(isUsableToken('Zm9vYmFy-_.~+/=0123456789')).toBe(true);
    expect(isUsableToken(' padded ')).toBe(false);
    expect(isUsableToken('')).toBe(false);
  });
});
