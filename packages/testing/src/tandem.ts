import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startAll, type RunningTandem } from '@tandem/server';
import type { CallTokenReply, CreatedSession, LoginReply } from '@tandem/protocol';

export const TEST_AGENT = { email: 'agent@example.test', password: 'correct horse battery', displayName: 'Ada' };

export interface TestTandem extends RunningTandem {
  dataDir: string;
  /** Stops the server but keeps DATA_DIR, for restart tests. */
  stopKeepingData(): Promise<void>;
}

const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * A real single-node Tandem in this process: real mediasoup worker, files in a temp
 * DATA_DIR, free ports, one worker (the machine has 2 cores).
 */
export async function startTestTandem(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<TestTandem> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tandem-test-')));
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TANDEM_RTC_PORT: '0',
      TANDEM_WORKERS: '1',
      TANDEM_ANNOUNCED_ADDRESS: '127.0.0.1',
      LOG_LEVEL: process.env.TANDEM_TEST_LOG ?? 'silent',
      TANDEM_AGENT_EMAIL: TEST_AGENT.email,
      TANDEM_AGENT_PASSWORD: TEST_AGENT.password,
      TANDEM_AGENT_NAME: TEST_AGENT.displayName,
      TANDEM_WEB_ROOT: webRoot,
      ...options.env,
    },
    webRoot,
  );
  const tandem = await startAll(config);
  return {
    ...tandem,
    dataDir,
    stopKeepingData: () => tandem.stop(),
    async stop() {
      await tandem.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON over HTTP, returning status and body, never throwing on an error status. */
export async function http<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Agent signs in and opens a session; a customer redeems its code. */
export async function openSupportCall(base: string): Promise<{
  console: LoginReply;
  session: CreatedSession;
  customer: CallTokenReply;
}> {
  const login = await http<LoginReply>(base, 'POST', '/api/v1/agent/login', { email: TEST_AGENT.email, password: TEST_AGENT.password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const session = await http<CreatedSession>(base, 'POST', '/api/v1/sessions', {}, login.body.token);
  if (session.status !== 201) throw new Error(`create session failed: ${session.status}`);
  const customer = await http<CallTokenReply>(base, 'POST', `/api/v1/join/${session.body.joinCode}`, { displayName: 'Chen' });
  if (customer.status !== 200) throw new Error(`redeem failed: ${customer.status}`);
  return { console: login.body, session: session.body, customer: customer.body };
}
