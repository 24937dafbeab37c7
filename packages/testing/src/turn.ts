import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TURNSERVER = process.env.TANDEM_TURNSERVER ?? 'turnserver';
export const TURN_REALM = 'tandem.test';

export interface TestTurnServer {
  /** UDP/TCP listening port on 127.0.0.1. */
  port: number;
  /** For TANDEM_TURN_URLS. */
  url: string;
  /** Relay ports it allocates from (inclusive). */
  relayPorts: { min: number; max: number };
  logFile: string;
  /** What coturn logged so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** A free UDP port on 127.0.0.1 (free now; coturn takes it a moment later). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A STUN Binding request (RFC 5389): 20-byte header, no attributes; coturn answers without auth. */
function bindingRequest(): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0001, 0);
  header.writeUInt16BE(0, 2);
  header.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(header, 8);
  return header;
}

/** True once something on `port` answers a STUN Binding request with a success response. */
async function answersStun(port: number, timeoutMs: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      socket.on('error', () => resolve(false));
      socket.on('message', (message) => {
        clearTimeout(timer);
        resolve(message.length >= 20 && message.readUInt16BE(0) === 0x0101);
      });
      socket.send(bindingRequest(), port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/**
 * Debian's coturn on 127.0.0.1 with TURN REST credentials (`use-auth-secret`): the
 * relay a locked-down network would leave a customer. Loopback peers are denied by
 * default, and the SFU is on loopback in tests, hence `--allow-loopback-peers`.
 * No config file, no CLI, no TLS, its own pid file and database, so several can run.
 */
export async function startTurnServer(options: { secret: string; relayPortCount?: number }): Promise<TestTurnServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-turn-'));
  const logFile = join(dir, 'turnserver.log');
  const port = await freeUdpPort();
  // A small relay range away from the ephemeral ports Linux hands out (32768+) and from
  // mediasoup's (10000..59999 by default it takes through port 0, so pick high and random).
  const count = options.relayPortCount ?? 40;
  const min = 61000 + Math.floor(Math.random() * 40) * 100;
  const relayPorts = { min, max: min + count - 1 };
  const child: ChildProcess = spawn(
    TURNSERVER,
    [
      '-n',
      `--listening-port=${port}`,
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      '--allow-loopback-peers',
      '--use-auth-secret',
      `--static-auth-secret=${options.secret}`,
      `--realm=${TURN_REALM}`,
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      `--min-port=${relayPorts.min}`,
      `--max-port=${relayPorts.max}`,
      `--log-file=${logFile}`,
      '--simple-log',
      '--no-stdout-log',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--db=${join(dir, 'turndb')}`,
      '--no-software-attribute',
      '--no-rfc5780',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async (): Promise<void> => {
    if (!gone) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 3000))]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await answersStun(port, 200))) {
    if (gone || Date.now() > deadline) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      await stop();
      throw new Error(`turnserver did not start on ${port}: ${stderr}\n${log.slice(-2000)}`);
    }
  }
  return {
    port,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    relayPorts,
    logFile,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    stop,
  };
}
