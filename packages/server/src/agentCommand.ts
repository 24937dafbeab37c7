import { createInterface } from 'node:readline/promises';
import { openSupportDomain } from '@tandem/support';
import type { TandemConfig } from './config.js';
import { tokenSecret } from './secret.js';

/**
 * `tandem agent add --email E [--name N]` and `tandem agent list`. The password comes
 * from TANDEM_AGENT_PASSWORD or is read from standard input, never from argv (argv is
 * visible to every user of the machine).
 */
export async function agentCommand(config: TandemConfig, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const flag = (name: string): string | undefined => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const { secret } = await tokenSecret(config.secret, config.dataDir);
  const support = await openSupportDomain({ dataDir: config.dataDir, secret, codeTtlMs: config.codeTtlMs });
  try {
    if (action === 'list') {
      for (const a of await support.agents.list()) console.log(`${a.agentId}\t${a.email}\t${a.displayName}`);
      return 0;
    }
    if (action === 'add' || action === 'set-password') {
      const email = flag('email');
      if (!email) throw new Error(`usage: tandem agent ${action} --email EMAIL [--name NAME]`);
      const password = process.env.TANDEM_AGENT_PASSWORD ?? (await readPassword());
      const existing = (await support.agents.list()).find((a) => a.email === email.trim().toLowerCase());
      if (action === 'set-password') {
        if (!existing) throw new Error(`no agent with email ${email}`);
        await support.agents.setPassword(existing.agentId, password);
        console.log(`password changed for ${existing.email}`);
        return 0;
      }
      const agent = await support.agents.addAgent({ email, displayName: flag('name') ?? email.split('@')[0]!, password });
      console.log(`agent ${agent.email} created (${agent.agentId})`);
      return 0;
    }
    throw new Error('usage: tandem agent add|set-password|list');
  } finally {
    await support.close();
  }
}

async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    return (await rl.question('password (10+ characters): ')).trim();
  } finally {
    rl.close();
  }
}
