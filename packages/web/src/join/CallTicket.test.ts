import { describe, expect, it } from 'vitest';
import { CallTicketStore, codeFromPath, type TicketStorage } from './CallTicket.js';

function memoryStorage(): TicketStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, get: (k) => data.get(k) ?? null, set: (k, v) => void data.set(k, v), remove: (k) => void data.delete(k) };
}

describe('codeFromPath', () => {
  it('reads the join code from a customer link', () => {
    expect(codeFromPath('/j/ABCD2345EFGH')).toBe('ABCD2345EFGH');
    expect(codeFromPath('/j/abcd1234/')).toBe('abcd1234');
  });

  it('refuses paths that hold no valid code', () => {
    for (const path of ['/', '/j/', '/j/AB', '/j/ABCD-1234', '/j/ABCD/extra', '/x/ABCD1234', `/j/${'A'.repeat(33)}`, '/j/%E0%A4%A']) {
      expect(codeFromPath(path), path).toBeNull();
    }
  });
});

describe('CallTicketStore', () => {
  const reply = { token: 't'.repeat(40), sessionId: 's1', role: 'customer' as const, expiresAt: 10_000 };

  it('keeps a redeemed token per code so a reload needs no new redemption', () => {
    const storage = memoryStorage();
    const store = new CallTicketStore(storage, () => 1_000);
    store.fromReply('CODE1234', reply);
    expect(store.load('CODE1234')).toMatchObject({ token: reply.token, sessionId: 's1', joined: false });
    expect(store.load('OTHER123')).toBeNull();
    store.update('CODE1234', { joined: true, muted: { mic: true, camera: false } });
    expect(new CallTicketStore(storage, () => 1_000).load('CODE1234')).toMatchObject({ joined: true, muted: { mic: true, camera: false } });
  });

  it('forgets an expired ticket', () => {
    const storage = memoryStorage();
    let now = 1_000;
    const store = new CallTicketStore(storage, () => now);
    store.fromReply('CODE1234', reply);
    now = 10_000;
    expect(store.load('CODE1234')).toBeNull();
    expect(storage.data.size).toBe(0);
  });

  it('treats tampered or malformed storage as no ticket, and cleans it up', () => {
    const storage = memoryStorage();
    const store = new CallTicketStore(storage, () => 0);
    for (const raw of ['{not json', 'null', '42', '{"token":"","sessionId":"s","expiresAt":5,"joined":true}', '{"token":"x","sessionId":"s","expiresAt":"5","joined":true}']) {
      storage.set('tandem.call.CODE1234', raw);
      expect(store.load('CODE1234'), raw).toBeNull();
      expect(storage.data.has('tandem.call.CODE1234')).toBe(false);
    }
  });

  it('does not resurrect a forgotten ticket on update', () => {
    const storage = memoryStorage();
    const store = new CallTicketStore(storage, () => 0);
    store.update('CODE1234', { joined: true });
    expect(storage.data.size).toBe(0);
  });
});
