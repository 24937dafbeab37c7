import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentDirectory } from './AgentDirectory.js';
import { FileAgentStore, MemoryAgentStore } from './AgentStore.js';
import { consoleLog } from './SupportTypes.js';
import { codeOf } from '@tandem/protocol/testkit';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-agents-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});


describe('AgentDirectory', () => {
  it('verifies the right password, refuses a wrong one and an unknown email alike', async () => {
    const agents = new AgentDirectory(new MemoryAgentStore());
    const sam = await agents.addAgent({ email: '  Sam@Example.COM ', displayName: 'Sam', password: 'correct horse battery' });
    expect(sam.email).toBe('sam@example.com');

    expect(await agents.verify('SAM@example.com', 'correct horse battery')).toEqual(sam);
    expect(await agents.verify('sam@example.com', 'correct horse batterY')).toBeNull();
    expect(await agents.verify('nobody@example.com', 'correct horse battery')).toBeNull();
  });

  it('an unknown email costs a hash too, so timing does not reveal which emails exist', async () => {
    const agents = new AgentDirectory(new MemoryAgentStore());
    await agents.addAgent({ email: 'known@x.io', displayName: 'K', password: 'the password' });
    await agents.verify('warm@x.io', 'warm up the decoy');
    const median = async (email: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await agents.verify(email, 'wrong password');
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[1] ?? 0;
    };
    const known = await median('known@x.io');
    const unknown = await median('unknown@x.io');
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  it('never hands out the password or its hash', async () => {
    const agents = new AgentDirectory(new MemoryAgentStore());
    const added = await agents.addAgent({ email: 'a@b.c', displayName: 'A', password: 'secret-password-1' });
    for (const seen of [added, await agents.get(added.agentId), ...(await agents.list())]) {
      expect(JSON.stringify(seen)).not.toMatch(/scrypt|secret-password/);
    }
  });

  it('refuses short passwords and duplicate emails, storing nothing', async () => {
    const agents = new AgentDirectory(new MemoryAgentStore());
    expect(await codeOf(agents.addAgent({ email: 'a@b.c', displayName: 'A', password: 'short' }))).toBe('BAD_PARAMS');
    expect(await agents.list()).toHaveLength(0);
    await agents.addAgent({ email: 'a@b.c', displayName: 'A', password: 'long enough pw' });
    const duplicates = await Promise.all([
      codeOf(agents.addAgent({ email: 'A@B.C', displayName: 'Again', password: 'long enough pw' })),
      codeOf(agents.addAgent({ email: 'x@y.z', displayName: '', password: 'long enough pw' })),
      codeOf(agents.addAgent({ email: 'not-an-email', displayName: 'N', password: 'long enough pw' })),
    ]);
    expect(duplicates).toEqual(['BAD_STATE', 'BAD_PARAMS', 'BAD_PARAMS']);
    expect(await agents.list()).toHaveLength(1);
  });

  it('two concurrent sign-ups with one email create one account', async () => {
    const agents = new AgentDirectory(new MemoryAgentStore());
    const results = await Promise.allSettled([
      agents.addAgent({ email: 'twin@x.io', displayName: 'One', password: 'long enough pw' }),
      agents.addAgent({ email: 'TWIN@x.io', displayName: 'Two', password: 'long enough pw' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await agents.list()).toHaveLength(1);
  });

  it('setPassword replaces the old password', async () => {
    const agents = new AgentDirectory(new MemoryAgentStore());
    const sam = await agents.addAgent({ email: 's@x.io', displayName: 'Sam', password: 'first password' });
    await agents.setPassword(sam.agentId, 'second password');
    expect(await agents.verify('s@x.io', 'first password')).toBeNull();
    expect(await agents.verify('s@x.io', 'second password')).toEqual(sam);
    expect(await codeOf(agents.setPassword('agt_nope', 'whatever long'))).toBe('NOT_FOUND');
    expect(await codeOf(agents.setPassword(sam.agentId, 'tiny'))).toBe('BAD_PARAMS');
  });

  it('file store: accounts survive a reopen, in a 0600 file, and edits by another process are seen', async () => {
    const dir = await dataDir();
    const first = new AgentDirectory(await FileAgentStore.open(dir, consoleLog));
    const sam = await first.addAgent({ email: 's@x.io', displayName: 'Sam', password: 'durable password' });

    const file = join(dir, 'agents.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).not.toContain('durable password');

    const reopened = new AgentDirectory(await FileAgentStore.open(dir, consoleLog));
    expect(await reopened.verify('s@x.io', 'durable password')).toEqual(sam);

    // e.g. `tandem agent add` while the server runs: the first instance sees the new agent.
    const kim = await reopened.addAgent({ email: 'k@x.io', displayName: 'Kim', password: 'another password' });
    expect(await first.verify('k@x.io', 'another password')).toEqual(kim);
  });

  it('file store: a broken file after startup keeps the accounts already loaded', async () => {
    const dir = await dataDir();
    const warnings: string[] = [];
    const agents = new AgentDirectory(await FileAgentStore.open(dir, { warn: (_f, m) => warnings.push(m) }));
    await agents.addAgent({ email: 's@x.io', displayName: 'Sam', password: 'durable password' });
    await writeFile(join(dir, 'agents.json'), '{"agents": [ broken');
    expect(await agents.verify('s@x.io', 'durable password')).not.toBeNull();
    expect(warnings.length).toBeGreaterThan(0);
  });
});
