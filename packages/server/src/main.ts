#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { TandemError } from '@tandem/protocol';
import { agentCommand } from './agentCommand.js';
import { ConfigError, loadConfig } from './config.js';
import { opsCommand } from './opsCommand.js';
import { createLog, startAll, startSfu, startSignaling, type RunningTandem, type TandemRole } from './start.js';

const USAGE = `usage: tandem <command>
  start | all                run signaling + an SFU node in this process (single node without REDIS_URL)
  signaling                  run a signaling process of a cluster (REDIS_URL)
  sfu                        run an SFU node of a cluster (REDIS_URL); exits once drained
  ops nodes                  list the cluster's SFU nodes
  ops drain NODE_ID          drain a node: no new rooms, its calls move, it exits when empty
  ops resume NODE_ID         return a draining node to serving
  agent add --email E [--name N]   create an agent (password from TANDEM_AGENT_PASSWORD or stdin)
  agent set-password --email E     change an agent's password
  agent list                 list agents`;

const defaultWebRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig(process.env, defaultWebRoot);
  switch (command) {
    case 'start':
    case 'all':
    case 'signaling':
    case 'sfu':
      return run(command === 'start' ? 'all' : command, config);
    case 'ops':
      return opsCommand(config, rest);
    case 'agent':
      return agentCommand(config, rest);
    default:
      console.error(USAGE);
      return command ? 2 : 0;
  }
}

const starters: Record<TandemRole, (config: ReturnType<typeof loadConfig>, log: ReturnType<typeof createLog>) => Promise<RunningTandem>> = {
  all: startAll,
  signaling: startSignaling,
  sfu: startSfu,
};

/** Runs a role until SIGTERM/SIGINT (graceful stop) or until it is done by itself (a drained node). */
async function run(role: TandemRole, config: ReturnType<typeof loadConfig>): Promise<number> {
  const log = createLog(config, role);
  const tandem = await starters[role](config, log);
  const exit = (code: number): void => {
    log.flush?.();
    process.exit(code);
  };
  const stop = (why: string): void => {
    log.info({ why }, 'stopping');
    // An SFU node drains first (its calls move); the deadline bounds it, plus a margin to close.
    const force = setTimeout(() => exit(1), role === 'signaling' ? 15_000 : config.drainDeadlineMs + 15_000);
    force.unref();
    tandem.stop().then(
      () => exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        exit(1);
      },
    );
  };
  void tandem.done.then(() => stop('drained'));
  // An SFU node leaves gracefully: SIGTERM drains it (calls move, then it exits); a second signal stops it now.
  process.once('SIGTERM', () => {
    if (!tandem.drain) return stop('SIGTERM');
    log.info('SIGTERM: draining before exit');
    tandem.drain();
    process.once('SIGTERM', () => stop('second SIGTERM'));
  });
  process.once('SIGINT', () => stop('SIGINT'));
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof TandemError || error instanceof Error) {
      console.error(`tandem: ${error.message}`);
    } else {
      console.error('tandem: failed', error);
    }
    process.exit(1);
  },
);
