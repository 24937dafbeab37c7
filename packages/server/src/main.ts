#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { TandemError } from '@tandem/protocol';
import { agentCommand } from './agentCommand.js';
import { ConfigError, loadConfig } from './config.js';
import { createLog, startAll } from './start.js';

const USAGE = `usage: tandem <command>
  start                      run signaling + an SFU node in this process (single node)
  agent add --email E [--name N]   create an agent (password from TANDEM_AGENT_PASSWORD or stdin)
  agent set-password --email E     change an agent's password
  agent list                 list agents`;

const defaultWebRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig(process.env, defaultWebRoot);
  switch (command) {
    case 'start': {
      const log = createLog(config);
      const tandem = await startAll(config, log);
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        const force = setTimeout(() => process.exit(1), 15_000);
        force.unref();
        tandem.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            log.error({ err: error }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      return -1; // keep running
    }
    case 'agent':
      return agentCommand(config, rest);
    default:
      console.error(USAGE);
      return command ? 2 : 0;
  }
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
