import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TandemError } from '@tandem/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSupportDomain, type SupportDomain } from './SupportDomain.js';

const SECRET = 'domain-test-secret-0123456789-abcdefgh';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The whole story a user lives: agent logs in, opens a session, customer joins by code, they chat, agent ends. */
async function supportCall(domain: SupportDomain): Promise<{ sessionId: string; joinCode: string }> {
  const sam = await domain.agents.addAgent({ email: 'sam@help.io', displayName: 'Sam', password: 'a long password' });
  const agent = await domain.agents.verify('sam@help.io', 'a long password');
  expect(agent).toEqual(sam);
  const consoleGrants = domain.tokens.verify(domain.tokens.issueConsoleToken(sam, 3_600_000).token, 'console');

  const session = await domain.sessions.create(consoleGrants.agentId);
  const redeemed = await domain.sessions.redeemJoinCode(session.joinCode.toLowerCase());
  const callToken = domain.tokens.issueCallToken(
    { sessionId: redeemed.sessionId, role: 'customer', subject: 'cus_1', displayName: 'Alex' },
    600_000,
  ).token;
  const grants = domain.tokens.verify(callToken, 'call');
  expect(grants).toMatchObject({ role: 'customer', sessionId: session.sessionId });

  await domain.sessions.markActive(grants.sessionId);
  await domain.chat.system(grants.sessionId, 'Alex joined');
  await domain.chat.append(grants.sessionId, { from: 'peer_1', role: 'customer', displayName: 'Alex', text: 'hi', clientMessageId: 'm1' });
  await domain.sessions.end(grants.sessionId, 'ended-by-agent');
  return { sessionId: session.sessionId, joinCode: session.joinCode };
}

describe('openSupportDomain', () => {
  it('refuses a short secret before touching the disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-domain-'));
    dirs.push(dir);
    const error = await openSupportDomain({ dataDir: join(dir, 'data'), secret: 'short' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect((error as TandemError).message).not.toContain('short');
    expect(await readdir(dir)).toEqual([]);
  });

  it('in memory: a whole support call works, and nothing outlives the instance', async () => {
    const domain = await openSupportDomain({ secret: SECRET });
    const { sessionId } = await supportCall(domain);
    await domain.close();
    const fresh = await openSupportDomain({ secret: SECRET });
    expect(await fresh.agents.list()).toEqual([]);
    await expect(fresh.sessions.get(sessionId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('on disk: agents, sessions and chat survive a restart in the same DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-domain-'));
    dirs.push(dir);
    const first = await openSupportDomain({ dataDir: dir, secret: SECRET });
    const { sessionId, joinCode } = await supportCall(first);
    await first.close();

    const second = await openSupportDomain({ dataDir: dir, secret: SECRET });
    expect(await second.agents.verify('sam@help.io', 'a long password')).not.toBeNull();
    expect((await second.sessions.get(sessionId)).state).toBe('ended');
    await expect(second.sessions.redeemJoinCode(joinCode)).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    expect((await second.chat.list(sessionId)).map((m) => [m.role, m.text])).toEqual([
      ['system', 'Alex joined'],
      ['customer', 'hi'],
    ]);
    expect((await readdir(dir)).sort()).toEqual(['agents.json', 'sessions.jsonl', 'transcripts']);
    await second.close();
  });
});
