import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedis, type TestRedis } from './redis.js';
import { TEST_AGENT } from './tandem.js';

/** The built `tandem` command (npm run build makes it). */
export const TANDEM_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

export const OPS_TOKEN = 'ops-token-for-tests-0123456789abcdef';

/** One `tandem` process of a test cluster. */
export interface ClusterProcess {
  role: 'sfu' | 'signaling';
  nodeId: string;
  port: number;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The process's log so far (pino JSON lines). */
  log(): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
  alive(): boolean;
}

export interface TestCluster {
  redis: TestRedis;
  sfu: ClusterProcess[];
  signaling: ClusterProcess[];
  env: Record<string, string>;
  addSfu(extraEnv?: Record<string, string>): Promise<ClusterProcess>;
  addSignaling(extraEnv?: Record<string, string>): Promise<ClusterProcess>;
  /** Runs `tandem ops …` against the cluster; resolves with its exit code and output. */
  ops(...args: string[]): Promise<{ code: number | null; output: string }>;
  /** SFU nodes as the registry sees them (through a signaling process's ops API). */
  nodes(): Promise<{ nodeId: string; state: string; load: { rooms: number; peers: number; consumers: number } }[]>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  sfu?: number;
  signaling?: number;
  env?: Record<string, string>;
  /** Extra env per signaling process, by index (e.g. TANDEM_PIPE_ROLE on one). */
  signalingEnv?: Record<string, string>[];
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A real cluster on loopback: a redis-server of its own, N `tandem sfu` and M `tandem
 * signaling` processes of the built command, one worker each, logs in a temp folder.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const redis = await startRedis();
  const dir = await mkdtemp(join(tmpdir(), 'tandem-cluster-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    TANDEM_SECRET: randomBytes(32).toString('base64url'),
    TANDEM_CLUSTER_SECRET: randomBytes(32).toString('base64url'),
    TANDEM_WORKERS: '1',
    TANDEM_RTC_PORT: '0',
    TANDEM_OPS_TOKEN: OPS_TOKEN,
    TANDEM_AGENT_EMAIL: TEST_AGENT.email,
    TANDEM_AGENT_PASSWORD: TEST_AGENT.password,
    TANDEM_AGENT_NAME: TEST_AGENT.displayName,
    LOG_LEVEL: 'info',
    DATA_DIR: join(dir, 'data'),
    ...options.env,
  };
  const procs: ClusterProcess[] = [];
  // If the test process dies without close() (an uncaught error), take the cluster with it.
  const orphanGuard = (): void => {
    for (const proc of procs) if (proc.alive()) proc.child.kill('SIGKILL');
  };
  process.once('exit', orphanGuard);
  let sfuCount = 0;
  let sigCount = 0;

  const launch = async (role: 'sfu' | 'signaling', nodeId: string, extra: Record<string, string>): Promise<ClusterProcess> => {
    const port = await freePort();
    const logFile = join(dir, `${nodeId}.log`);
    const out = createWriteStream(logFile);
    // SFU nodes get no token secret: they must run without it (least privilege).
    const { TANDEM_SECRET, ...sfuEnv } = env;
    const child = spawn(process.execPath, [TANDEM_MAIN, role], {
      env: { ...(role === 'sfu' ? sfuEnv : { ...env, TANDEM_SECRET: TANDEM_SECRET! }), PORT: String(port), TANDEM_NODE_ID: nodeId, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc: ClusterProcess = {
      role,
      nodeId,
      port,
      url: `http://127.0.0.1:${port}`,
      child,
      exited,
      log: () => readFile(logFile, 'utf8').catch(() => ''),
      kill: (signal = 'SIGTERM') => void child.kill(signal),
      alive: () => child.exitCode === null && child.signalCode === null,
    };
    procs.push(proc);
    const started = await Promise.race([
      waitFor(`${nodeId} ready`, async () => (await fetch(`${proc.url}/readyz`)).status === 200).then(() => true),
      exited.then(() => false),
    ]).catch(() => false);
    if (!started) throw new Error(`${nodeId} did not start:\n${(await proc.log()).slice(-3000)}`);
    return proc;
  };

  const cluster: TestCluster = {
    redis,
    env,
    sfu: [],
    signaling: [],
    async addSfu(extra = {}) {
      const proc = await launch('sfu', `sfu-${++sfuCount}`, extra);
      cluster.sfu.push(proc);
      // Serving means: every signaling process can already place rooms on it.
      await waitFor(`${proc.nodeId} in the registry`, async () => (await cluster.nodes()).some((n) => n.nodeId === proc.nodeId && n.state === 'SERVING'));
      return proc;
    },
    async addSignaling(extra = {}) {
      const proc = await launch('signaling', `sig-${++sigCount}`, extra);
      cluster.signaling.push(proc);
      return proc;
    },
    async ops(...args) {
      const child = spawn(process.execPath, [TANDEM_MAIN, 'ops', ...args], { env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, output };
    },
    async nodes() {
      const via = cluster.signaling.find((p) => p.alive());
      if (!via) return [];
      const response = await fetch(`${via.url}/api/ops/nodes`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
      if (response.status !== 200) return [];
      return ((await response.json()) as { nodes: Awaited<ReturnType<TestCluster['nodes']>> }).nodes;
    },
    async close() {
      process.off('exit', orphanGuard);
      for (const proc of procs) if (proc.alive()) proc.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await redis.destroy();
      if (!process.env.TANDEM_KEEP_CLUSTER_LOGS) await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    // Signaling first: it answers the registry questions the SFU launches wait on.
    for (let i = 0; i < (options.signaling ?? 2); i++) await cluster.addSignaling(options.signalingEnv?.[i] ?? {});
    for (let i = 0; i < (options.sfu ?? 2); i++) await cluster.addSfu();
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}
