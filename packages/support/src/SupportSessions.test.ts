import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSessionStore, MemorySessionStore, type SessionStore } from './SessionStore.js';
import { SupportSessions } from './SupportSessions.js';
import type { SupportLog, SupportSession } from './SupportTypes.js';
import { codeOf } from '@tandem/protocol/testkit';

const dirs: string[] = [];
const stores: SessionStore[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-sessions-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const quiet: SupportLog = { warn: () => undefined };
async function fileStore(dir: string, log: SupportLog = quiet): Promise<FileSessionStore> {
  const store = await FileSessionStore.open(dir, log);
  stores.push(store);
  return store;
}


describe('SupportSessions', () => {
  it('goes waiting → active → ended, and ended is final', async () => {
    const sessions = await SupportSessions.open(new MemorySessionStore());
    const created = await sessions.create('agt_1');
    expect(created.state).toBe('waiting');
    expect((await sessions.redeemJoinCode(created.joinCode)).sessionId).toBe(created.sessionId);

    expect((await sessions.markActive(created.sessionId)).state).toBe('active');
    expect((await sessions.markActive(created.sessionId)).state).toBe('active');

    const ended = await sessions.end(created.sessionId, 'ended-by-agent');
    expect(ended).toMatchObject({ state: 'ended', endReason: 'ended-by-agent' });
    // Idempotent: a second end keeps the first reason and time.
    expect(await sessions.end(created.sessionId, 'server-shutdown')).toEqual(ended);
    expect(await codeOf(sessions.markActive(created.sessionId))).toBe('SESSION_ENDED');
    expect(await codeOf(sessions.redeemJoinCode(created.joinCode))).toBe('SESSION_ENDED');
  });

  it('join codes: typed loosely still work; unknown and expired ones are refused', async () => {
    let now = 1_000_000;
    const sessions = await SupportSessions.open(new MemorySessionStore(), { clock: () => now, codeTtlMs: 60_000 });
    const session = await sessions.create('agt_1');
    expect(session.codeExpiresAt).toBe(now + 60_000);
    const typed = session.joinCode.toLowerCase().replace(/^(.{4})(.{4})/, '$1-$2-');
    expect((await sessions.redeemJoinCode(typed)).sessionId).toBe(session.sessionId);
    expect(await codeOf(sessions.redeemJoinCode('ZZZZZZZZZZZZ'))).toBe('CODE_UNKNOWN');
    expect(await codeOf(sessions.redeemJoinCode('not a code!'))).toBe('CODE_UNKNOWN');

    now += 60_000;
    expect(await codeOf(sessions.redeemJoinCode(session.joinCode))).toBe('CODE_EXPIRED');
  });

  it('expireStale ends only waiting sessions whose code ran out', async () => {
    let now = 0;
    const sessions = await SupportSessions.open(new MemorySessionStore(), { clock: () => now, codeTtlMs: 1_000 });
    const unused = await sessions.create('agt_1');
    const inCall = await sessions.create('agt_1');
    await sessions.markActive(inCall.sessionId);
    now = 500;
    const fresh = await sessions.create('agt_1');
    now = 1_000;
    const changes: SupportSession[] = [];
    sessions.on('stateChanged', (s) => changes.push(s));
    expect((await sessions.expireStale()).map((s) => s.sessionId)).toEqual([unused.sessionId]);
    expect(changes).toMatchObject([{ sessionId: unused.sessionId, state: 'ended', endReason: 'expired' }]);
    expect((await sessions.get(inCall.sessionId)).state).toBe('active');
    expect((await sessions.get(fresh.sessionId)).state).toBe('waiting');
  });

  it('lists an agent’s own sessions newest first, with summaries carrying the join path', async () => {
    let now = 0;
    const sessions = await SupportSessions.open(new MemorySessionStore(), { clock: () => ++now });
    const a = await sessions.create('agt_1');
    await sessions.create('agt_2');
    const b = await sessions.create('agt_1');
    expect((await sessions.listForAgent('agt_1')).map((s) => s.sessionId)).toEqual([b.sessionId, a.sessionId]);
    expect(sessions.summary(a)).toEqual({
      sessionId: a.sessionId,
      state: 'waiting',
      joinCode: a.joinCode,
      joinPath: `/j/${a.joinCode}`,
      codeExpiresAt: a.codeExpiresAt,
      createdAt: a.createdAt,
    });
  });

  it('bad input gets a typed error and changes nothing', async () => {
    const store = new MemorySessionStore();
    const sessions = await SupportSessions.open(store);
    const session = await sessions.create('agt_1');
    expect(await codeOf(sessions.get('ses_missing'))).toBe('NOT_FOUND');
    expect(await codeOf(sessions.markActive('ses_missing'))).toBe('NOT_FOUND');
    expect(await codeOf(sessions.end('ses_missing', 'expired'))).toBe('NOT_FOUND');
    expect(await codeOf(sessions.end(session.sessionId, 'bored' as 'expired'))).toBe('BAD_PARAMS');
    expect(await codeOf(sessions.create(''))).toBe('BAD_PARAMS');
    expect(await store.replay()).toHaveLength(1);
    expect((await sessions.get(session.sessionId)).state).toBe('waiting');
  });

  it('returned sessions are copies: mutating one does not change the record', async () => {
    const sessions = await SupportSessions.open(new MemorySessionStore());
    const session = await sessions.create('agt_1');
    session.state = 'ended';
    expect((await sessions.get(session.sessionId)).state).toBe('waiting');
  });

  it('a state change is durable before the call resolves; a failed write changes nothing', async () => {
    const store = new MemorySessionStore();
    let failNext = false;
    const flaky: SessionStore = {
      replay: () => store.replay(),
      append: async (event) => {
        if (failNext) throw new Error('disk full');
        await store.append(event);
      },
      close: () => store.close(),
    };
    const sessions = await SupportSessions.open(flaky);
    const session = await sessions.create('agt_1');
    expect(await store.replay()).toEqual([{ type: 'created', session }]);
    failNext = true;
    await expect(sessions.end(session.sessionId, 'ended-by-agent')).rejects.toThrow('disk full');
    expect((await sessions.get(session.sessionId)).state).toBe('waiting');
  });

  it('file store: reopening the same dir replays every session and its state', async () => {
    const dir = await dataDir();
    let now = 10_000;
    const clock = () => now;
    const first = await SupportSessions.open(await fileStore(dir), { clock, codeTtlMs: 5_000 });
    const waiting = await first.create('agt_1');
    const active = await first.create('agt_1');
    await first.markActive(active.sessionId);
    const ended = await first.create('agt_2');
    const endedState = await first.end(ended.sessionId, 'ended-by-agent');
    await stores.splice(0)[0]?.close();

    const reopened = await SupportSessions.open(await fileStore(dir), { clock, codeTtlMs: 5_000 });
    expect(await reopened.get(waiting.sessionId)).toEqual(waiting);
    expect((await reopened.get(active.sessionId)).state).toBe('active');
    expect(await reopened.get(ended.sessionId)).toEqual(endedState);
    expect((await reopened.redeemJoinCode(waiting.joinCode)).sessionId).toBe(waiting.sessionId);
    expect(await codeOf(reopened.redeemJoinCode(ended.joinCode))).toBe('SESSION_ENDED');
    now += 5_000;
    expect(await codeOf(reopened.redeemJoinCode(waiting.joinCode))).toBe('CODE_EXPIRED');
  });

  it('file store: a torn last line is skipped with a warning, and later writes still replay', async () => {
    const dir = await dataDir();
    const first = await SupportSessions.open(await fileStore(dir));
    const kept = await first.create('agt_1');
    await stores.splice(0)[0]?.close();
    await appendFile(join(dir, 'sessions.jsonl'), '{"type":"ended","sessionId":"' + kept.sessionId + '","at":');

    const warnings: string[] = [];
    const second = await SupportSessions.open(await fileStore(dir, { warn: (_f, m) => warnings.push(m) }));
    expect(warnings).toHaveLength(1);
    expect((await second.get(kept.sessionId)).state).toBe('waiting');
    const later = await second.create('agt_1');
    await second.markActive(later.sessionId);
    await stores.splice(0)[0]?.close();

    const third = await SupportSessions.open(await fileStore(dir, { warn: (_f, m) => warnings.push(m) }));
    expect(warnings).toHaveLength(1);
    expect((await third.get(later.sessionId)).state).toBe('active');
    expect((await readFile(join(dir, 'sessions.jsonl'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
  });
});
