import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real redis-server owned by a test: its own port and data folder, AOF on. */
export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops it gracefully (SHUTDOWN: AOF flushed); `start()` brings it back with the same data. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`redis port ${port} did not become ${up ? 'open' : 'closed'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `redis-server` (Debian's) on a free loopback port with appendonly +
 * appendfsync always, the durability the chat store relies on.
 */
export async function startRedis(options: { bin?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tandem-redis-'));
  const bin = options.bin ?? '/usr/bin/redis-server';
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always',
        '--save', '', '--protected-mode', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    child = proc;
    // A test process that dies without destroy() must not leave redis-server behind.
    const orphanGuard = (): void => void proc.kill('SIGKILL');
    process.once('exit', orphanGuard);
    proc.once('exit', () => {
      process.off('exit', orphanGuard);
      if (child === proc) child = undefined;
    });
    await waitForPort(port, true);
  };
  const exited = (proc: ChildProcess): Promise<void> =>
    proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    await exited(proc);
    await waitForPort(port, false);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start,
    async destroy() {
      await halt('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One Redis command over a bare socket (RESP), for tests that must write what no
 * Tandem API would (garbage records). Resolves with the raw reply.
 */
export async function redisCommand(port: number, ...args: string[]): Promise<string> {
  const { createConnection } = await import('node:net');
  const wire = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write(wire));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}
