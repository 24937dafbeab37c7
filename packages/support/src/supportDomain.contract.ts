import { describe, expect, it } from 'vitest';
import type { SupportDomain } from './SupportDomain.js';
import type { ChatInput, SupportSession } from './SupportTypes.js';
import { codeOf } from '@tandem/protocol/testkit';

/** One storage under test: every `open` over it is a process; `shared` ones see each other's data. */
export interface ContractStorage {
  open(options: { clock: () => number; codeTtlMs?: number }): Promise<SupportDomain>;
  shared: boolean;
  dispose(): Promise<void>;
}

/** A customer's chat line as a test sends it. */
export const line = (text: string, clientMessageId: string, from = 'peer_cust'): ChatInput => ({
  from,
  role: 'customer',
  displayName: 'Alex',
  text,
  clientMessageId,
});

/**
 * The behaviour the support domain has whatever it is stored in: memory, DATA_DIR files
 * or Redis all run this very suite.
 */
export function supportDomainContract(name: string, fresh: () => Promise<ContractStorage>): void {
  async function withDomain(test: (d: SupportDomain, clock: { now: number }, storage: ContractStorage) => Promise<void>, codeTtlMs?: number): Promise<void> {
    const storage = await fresh();
    const clock = { now: 1_000_000 };
    const domain = await storage.open({ clock: () => clock.now, ...(codeTtlMs === undefined ? {} : { codeTtlMs }) });
    try {
      await test(domain, clock, storage);
    } finally {
      await domain.close();
      await storage.dispose();
    }
  }

  describe(`${name} support domain contract`, () => {
    it('sessions go waiting → active → ended; ended is final and the first reason wins', () =>
      withDomain(async ({ sessions }) => {
        const created = await sessions.create('agt_1');
        expect(created.state).toBe('waiting');
        expect((await sessions.markActive(created.sessionId)).state).toBe('active');
        expect((await sessions.markActive(created.sessionId)).state).toBe('active');
        const ended = await sessions.end(created.sessionId, 'ended-by-agent');
        expect(ended).toMatchObject({ state: 'ended', endReason: 'ended-by-agent', endedAt: 1_000_000 });
        expect(await sessions.end(created.sessionId, 'server-shutdown')).toEqual(ended);
        expect(await sessions.get(created.sessionId)).toEqual(ended);
        expect(await codeOf(sessions.markActive(created.sessionId))).toBe('SESSION_ENDED');
        expect(await codeOf(sessions.redeemJoinCode(created.joinCode))).toBe('SESSION_ENDED');
      }));

    it('join codes: typed loosely still work; unknown and expired ones are refused', () =>
      withDomain(async ({ sessions }, clock) => {
        const session = await sessions.create('agt_1');
        expect(session.codeExpiresAt).toBe(clock.now + 60_000);
        const typed = session.joinCode.toLowerCase().replace(/^(.{4})(.{4})/, '$1-$2-');
        expect(await sessions.redeemJoinCode(typed)).toEqual(session);
        expect(await codeOf(sessions.redeemJoinCode('ZZZZZZZZZZZZ'))).toBe('CODE_UNKNOWN');
        expect(await codeOf(sessions.redeemJoinCode('not a code!'))).toBe('CODE_UNKNOWN');
        clock.now += 60_000;
        expect(await codeOf(sessions.redeemJoinCode(session.joinCode))).toBe('CODE_EXPIRED');
      }, 60_000));

    it('expireStale ends only waiting sessions whose code ran out, once', () =>
      withDomain(async ({ sessions }, clock) => {
        const unused = await sessions.create('agt_1');
        const inCall = await sessions.create('agt_1');
        await sessions.markActive(inCall.sessionId);
        clock.now += 500;
        const fresh = await sessions.create('agt_1');
        clock.now += 500;
        const changes: SupportSession[] = [];
        sessions.on('stateChanged', (s) => changes.push(s));
        expect((await sessions.expireStale()).map((s) => s.sessionId)).toEqual([unused.sessionId]);
        expect(changes).toMatchObject([{ sessionId: unused.sessionId, state: 'ended', endReason: 'expired' }]);
        expect(await sessions.expireStale()).toEqual([]);
        expect((await sessions.get(inCall.sessionId)).state).toBe('active');
        expect((await sessions.get(fresh.sessionId)).state).toBe('waiting');
      }, 1_000));

    it('lists an agent’s own sessions newest first', () =>
      withDomain(async ({ sessions }, clock) => {
        const a = await sessions.create('agt_1');
        clock.now += 1;
        await sessions.create('agt_2');
        clock.now += 1;
        const b = await sessions.create('agt_1');
        await sessions.end(a.sessionId, 'ended-by-agent');
        const listed = await sessions.listForAgent('agt_1');
        expect(listed.map((s) => [s.sessionId, s.state])).toEqual([[b.sessionId, 'waiting'], [a.sessionId, 'ended']]);
        expect(await sessions.listForAgent('agt_nobody')).toEqual([]);
      }));

    it('bad input gets a typed error and changes nothing', () =>
      withDomain(async ({ sessions }) => {
        const session = await sessions.create('agt_1');
        for (const id of ['ses_missing', '', '../../x', 'a'.repeat(500), 42 as unknown as string]) {
          expect(await codeOf(sessions.get(id))).toBe('NOT_FOUND');
          expect(await codeOf(sessions.markActive(id))).toBe('NOT_FOUND');
          expect(await codeOf(sessions.end(id, 'expired'))).toBe('NOT_FOUND');
        }
        expect(await codeOf(sessions.end(session.sessionId, 'bored' as 'expired'))).toBe('BAD_PARAMS');
        expect(await codeOf(sessions.create(''))).toBe('BAD_PARAMS');
        expect(await sessions.get(session.sessionId)).toEqual(session);
        expect(await sessions.listForAgent('agt_1')).toEqual([session]);
      }));

    it('returned sessions are copies: mutating one changes nothing stored', () =>
      withDomain(async ({ sessions }) => {
        const session = await sessions.create('agt_1');
        session.state = 'ended';
        expect((await sessions.get(session.sessionId)).state).toBe('waiting');
      }));

    it('chat: a retried send returns the original and is stored once; order is kept', () =>
      withDomain(async ({ chat }, clock) => {
        const sid = 'ses_chat1';
        const note = await chat.system(sid, 'Sam joined');
        const first = await chat.append(sid, line('  my printer is on fire \n', 'c1'));
        expect(first).toMatchObject({ sessionId: sid, from: 'peer_cust', role: 'customer', text: 'my printer is on fire', at: clock.now });
        clock.now += 5;
        expect(await chat.append(sid, line('my printer is on fire', 'c1'))).toEqual(first);
        const other = await chat.append(sid, { ...line('me too', 'c1', 'peer_agent'), role: 'agent', displayName: 'Sam' });
        expect(other.messageId).not.toBe(first.messageId);
        expect(await chat.list(sid)).toEqual([note, first, other]);
        expect(await chat.list('ses_other')).toEqual([]);
      }));

    it('chat: concurrent sends and racing retries lose nothing and store nothing twice', () =>
      withDomain(async ({ chat }) => {
        const sid = 'ses_chat2';
        const texts = Array.from({ length: 30 }, (_, i) => `message ${i}`);
        const sends = texts.flatMap((text, i) => [chat.append(sid, line(text, `c${i}`)), chat.append(sid, line(text, `c${i}`))]);
        const results = await Promise.all(sends);
        for (let i = 0; i < texts.length; i++) expect(results[2 * i]).toEqual(results[2 * i + 1]);
        const listed = await chat.list(sid);
        expect(listed.map((m) => m.text).sort()).toEqual([...texts].sort());
        expect(new Set(listed.map((m) => m.messageId)).size).toBe(texts.length);
      }));

    it('chat: bad fields get BAD_PARAMS and store nothing', () =>
      withDomain(async ({ chat }) => {
        const sid = 'ses_chat3';
        const bad: ChatInput[] = [
          line('   ', 'c1'),
          line('bell \u0007', 'c2'),
          line('fine', ''),
          line('fine', '../../etc/passwd'),
          { ...line('fine', 'c3'), from: 'system' },
          { ...line('fine', 'c4'), role: 'system' as 'agent' },
          null as unknown as ChatInput,
        ];
        for (const input of bad) expect(await codeOf(chat.append(sid, input))).toBe('BAD_PARAMS');
        expect(await codeOf(chat.append('../escape', line('fine', 'c5')))).toBe('BAD_PARAMS');
        expect(await codeOf(chat.list('../escape'))).toBe('BAD_PARAMS');
        expect(await chat.list(sid)).toEqual([]);
      }));

    it('agents: add, verify, one account per email, password change', () =>
      withDomain(async ({ agents }) => {
        const sam = await agents.addAgent({ email: ' Sam@Help.io ', displayName: 'Sam', password: 'a long password' });
        expect(sam.email).toBe('sam@help.io');
        expect(await agents.verify('SAM@help.io', 'a long password')).toEqual(sam);
        expect(await agents.verify('sam@help.io', 'wrong password')).toBeNull();
        expect(await codeOf(agents.addAgent({ email: 'sam@HELP.io', displayName: 'Other', password: 'another password' }))).toBe('BAD_STATE');
        const kim = await agents.addAgent({ email: 'kim@help.io', displayName: 'Kim', password: 'kims long password' });
        expect(await agents.list()).toEqual([kim, sam]);
        await agents.setPassword(sam.agentId, 'a brand new password');
        expect(await agents.verify('sam@help.io', 'a long password')).toBeNull();
        expect(await agents.verify('sam@help.io', 'a brand new password')).toEqual(sam);
        expect(await agents.get(sam.agentId)).toEqual(sam);
        expect(await codeOf(agents.setPassword('agt_missing', 'whatever password'))).toBe('NOT_FOUND');
      }));

    it('a second open over shared storage sees agents, sessions and chat', async () => {
      const storage = await fresh();
      if (!storage.shared) return storage.dispose();
      const clock = () => 5_000;
      const first = await storage.open({ clock });
      const sam = await first.agents.addAgent({ email: 'sam@help.io', displayName: 'Sam', password: 'a long password' });
      const session = await first.sessions.create(sam.agentId);
      await first.sessions.markActive(session.sessionId);
      const hello = await first.chat.append(session.sessionId, line('hello', 'c1'));
      const ended = await first.sessions.end(session.sessionId, 'ended-by-agent');
      await first.close();

      const second = await storage.open({ clock });
      expect(await second.agents.verify('sam@help.io', 'a long password')).toEqual(sam);
      expect(await second.sessions.get(session.sessionId)).toEqual(ended);
      expect(await codeOf(second.sessions.redeemJoinCode(session.joinCode))).toBe('SESSION_ENDED');
      expect(await second.chat.append(session.sessionId, line('hello', 'c1'))).toEqual(hello);
      expect(await second.chat.list(session.sessionId)).toEqual([hello]);
      await second.close();
      await storage.dispose();
    });
  });
}
