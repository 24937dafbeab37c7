import { describe, expect, it } from 'vitest';
import type { TicketStorage } from '../join/CallTicket.js';
import { ConsoleAuth } from './ConsoleAuth.js';

function memoryStorage(): TicketStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, get: (k) => data.get(k) ?? null, set: (k, v) => void data.set(k, v), remove: (k) => void data.delete(k) };
}

const login = { token: 'console-token', expiresAt: 5_000, agent: { agentId: 'a1', email: 'a@b.c', displayName: 'Ana' } };

describe('ConsoleAuth', () => {
  it('survives a reload with the sign-in and the session last used', () => {
    const storage = memoryStorage();
    const auth = new ConsoleAuth(storage, () => 1_000);
    auth.save(login);
    auth.lastSessionId = 'sess-1';
    const reloaded = new ConsoleAuth(storage, () => 1_000);
    expect(reloaded.load()).toEqual(login);
    expect(reloaded.lastSessionId).toBe('sess-1');
  });

  it('drops an expired or malformed sign-in together with the session', () => {
    const storage = memoryStorage();
    const auth = new ConsoleAuth(storage, () => 6_000);
    auth.save(login);
    auth.lastSessionId = 'sess-1';
    expect(auth.load()).toBeNull();
    expect(auth.lastSessionId).toBeNull();
    storage.set('tandem.console', '{"token":5}');
    expect(auth.load()).toBeNull();
    storage.set('tandem.console', '{oops');
    expect(auth.load()).toBeNull();
  });
});
