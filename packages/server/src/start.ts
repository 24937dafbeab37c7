import { buildSignalingApp, logRedaction, type SignalingApp } from '@tandem/signaling';
import { openSupportDomain, TurnCredentials, type SupportDomain } from '@tandem/support';
import type { Coordinator } from '@tandem/cluster';
import type { SfuControl } from '@tandem/protocol';
import pino, { type Logger } from 'pino';
import { openCoordinator, sfuConnector } from './clusterParts.js';
import { requireSharedTokenSecret, type TandemConfig } from './config.js';
import { tokenSecret } from './secret.js';
import { createNode, serveSfuNode, type RunningSfuNode } from './sfuRole.js';
import { SfuMembership } from './SfuMembership.js';

export interface RunningTandem {
  /** Where the HTTP server listens, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  log: Logger;
  /** Resolves when the process should exit on its own (its SFU node drained). */
  done: Promise<void>;
  /** Graceful leave for an SFU node: drain, then `done`. */
  drain?: () => void;
  stop(): Promise<void>;
}

export type TandemRole = 'all' | 'signaling' | 'sfu';

export function createLog(config: Pick<TandemConfig, 'logLevel' | 'nodeId'>, role: TandemRole = 'all'): Logger {
  return pino({ level: config.logLevel, base: { nodeId: config.nodeId, role }, ...logRedaction });
}

/**
 * `tandem all` (and `start`): signaling plus an SFU node in one process. Without
 * REDIS_URL this is the single-node default (coordination in memory, data in DATA_DIR);
 * with it, the process is one member of a cluster and its node also serves its control
 * endpoint on TANDEM_CONTROL_PORT so other signaling processes can use it.
 */
export async function startAll(config: TandemConfig, log: Logger = createLog(config)): Promise<RunningTandem> {
  requireSharedTokenSecret(config);
  const coordinator = await openCoordinator(config, log);
  const node = await createNode(config, log);
  let served: RunningSfuNode | undefined;
  let membership: SfuMembership;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  if (config.redisUrl) {
    served = await serveSfuNode(config, coordinator, log, { port: config.controlPort ?? config.port + 1, host: config.host, node });
    membership = served.membership;
    void served.done.then(() => finished());
  } else {
    membership = new SfuMembership({
      coordinator,
      stats: () => node.nodeStats(),
      nodeId: node.nodeId,
      controlUrl: 'local',
      maxConsumers: config.maxConsumers,
      drainDeadlineMs: config.drainDeadlineMs,
      log,
      onDrained: () => finished(),
    });
    await membership.start();
  }
  const signaling = await startSignalingApp(config, coordinator, log, [node], async () => !node.closed && membership.state === 'SERVING');
  let stopping: Promise<void> | undefined;
  return {
    ...signaling.where,
    log,
    done,
    stop: () =>
      (stopping ??= (async () => {
        await signaling.close();
        if (served) await served.stop();
        else {
          await membership.stop();
          await node.close();
        }
        await coordinator.close();
        log.info('Tandem stopped');
      })()),
  };
}

/** `tandem signaling`: HTTP, WebSocket signaling and the support domain; media on SFU nodes found in Redis. */
export async function startSignaling(config: TandemConfig, log: Logger = createLog(config, 'signaling')): Promise<RunningTandem> {
  if (!config.redisUrl) throw new Error('tandem signaling needs REDIS_URL (it finds its SFU nodes there)');
  requireSharedTokenSecret(config);
  const coordinator = await openCoordinator(config, log);
  const signaling = await startSignalingApp(config, coordinator, log, [], async () => true);
  let stopping: Promise<void> | undefined;
  return {
    ...signaling.where,
    log,
    done: new Promise<void>(() => undefined),
    stop: () =>
      (stopping ??= (async () => {
        await signaling.close();
        await coordinator.close();
        log.info('signaling stopped');
      })()),
  };
}

/** `tandem sfu`: one SFU node of a cluster; exits by itself once drained. */
export async function startSfu(config: TandemConfig, log: Logger = createLog(config, 'sfu')): Promise<RunningTandem> {
  if (!config.redisUrl) throw new Error('tandem sfu needs REDIS_URL (it registers there)');
  const coordinator = await openCoordinator(config, log);
  const served = await serveSfuNode(config, coordinator, log, { port: config.port, host: config.host });
  const done = served.done.then(() => coordinator.close());
  return {
    url: `http://127.0.0.1:${served.port}`,
    port: served.port,
    log,
    done,
    drain: () => served.membership.drain({ final: true }),
    stop: async () => {
      await served.stop();
      await done;
    },
  };
}

async function startSignalingApp(
  config: TandemConfig,
  coordinator: Coordinator,
  log: Logger,
  localSfuNodes: SfuControl[],
  mediaReady: () => Promise<boolean>,
): Promise<{ where: { url: string; port: number }; close: () => Promise<void> }> {
  const { secret, generated } = await tokenSecret(config.secret, config.dataDir);
  if (generated) log.warn('TANDEM_SECRET is not set: using a secret generated into DATA_DIR; set it in production');
  const support = await openSupportDomain({
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : { dataDir: config.dataDir }),
    secret,
    codeTtlMs: config.codeTtlMs,
    log,
  });
  if (config.bootstrapAgent) await ensureAgent(support, config.bootstrapAgent, log);
  const connectSfu = sfuConnector(config, log);
  let signaling: SignalingApp;
  try {
    signaling = await buildSignalingApp({
      config: {
        serverId: config.nodeId,
        webRoot: config.webRoot,
        agentTokenTtlMs: 12 * 3600_000,
        customerTokenTtlMs: 4 * 3600_000,
        trustProxy: config.trustProxy,
        joinRatePerMinute: config.joinRatePerMinute,
        pipeRole: config.pipeRole,
        opsToken: config.opsToken,
        resumeGraceMs: config.resumeGraceMs,
      },
      support,
      coordinator,
      localSfuNodes,
      ...(connectSfu ? { connectSfu } : {}),
      log,
      isReady: mediaReady,
      ...(config.turn ? { turn: new TurnCredentials(config.turn) } : {}),
    });
  } catch (error) {
    await support.close();
    throw error;
  }
  const address = await signaling.app.listen({ port: config.port, host: config.host });
  const port = Number(new URL(address).port);
  log.info({ port, cluster: Boolean(config.redisUrl) }, 'Tandem is up');
  return {
    where: { url: `http://127.0.0.1:${port}`, port },
    close: async () => {
      await signaling.close();
      await support.close();
    },
  };
}

async function ensureAgent(support: SupportDomain, agent: NonNullable<TandemConfig['bootstrapAgent']>, log: Logger): Promise<void> {
  const existing = (await support.agents.list()).find((a) => a.email === agent.email.trim().toLowerCase());
  if (existing) {
    await support.agents.setPassword(existing.agentId, agent.password);
    return;
  }
  const created = await support.agents.addAgent(agent);
  log.info({ agentId: created.agentId }, 'agent account created from the environment');
}
