import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalingClient } from './SignalingClient.js';
import { TEST_AGENT, openSupportCall } from './tandem.js';

/** The built `tandem` command, as ops run it (npm run build makes it). */
const MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function run(env: Record<string, string>, args: string[]): Promise<{ child: ChildProcess; output: () => string; exit: Promise<number | null> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-proc-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HOST: '127.0.0.1', TANDEM_WORKERS: '1', TANDEM_RTC_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

describe('the tandem command', () => {
  it('is built', () => {
    expect(existsSync(MAIN), `run npm run build first (${MAIN})`).toBe(true);
  });

  it('refuses bad configuration with a message naming the variable, and never echoes a secret', async () => {
    const { output, exit } = await run({ PORT: 'eighty', TANDEM_SECRET: 'short-secret-value' }, ['start']);
    expect(await exit).toBe(1);
    expect(output()).toMatch(/PORT/);
    expect(output()).toMatch(/TANDEM_SECRET/);
    expect(output()).not.toContain('short-secret-value');
  });

  it('starts, serves a call, and on SIGTERM tells clients and exits cleanly', async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    const { child, output, exit } = await run(
      { PORT: String(port), TANDEM_AGENT_EMAIL: TEST_AGENT.email, TANDEM_AGENT_PASSWORD: TEST_AGENT.password, LOG_LEVEL: 'info' },
      ['start'],
    );
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while (!output().includes('Tandem is up')) {
      if (Date.now() > deadline) throw new Error(`did not start:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { customer } = await openSupportCall(base);
    const client = await SignalingClient.connect(base);
    await client.join(customer.token);
    child.kill('SIGTERM');
    await client.waitFor('serverShuttingDown');
    expect(await exit).toBe(0);
    // The password given in the environment never reaches a log line.
    expect(output()).not.toContain(TEST_AGENT.password);
  }, 40_000);
});
