import { MemoryCoordinator } from '@tandem/cluster';
import { createSfuNode } from '@tandem/sfu';
import { buildSignalingApp, logRedaction } from '@tandem/signaling';
import { openSupportDomain } from '@tandem/support';
import pino, { type Logger } from 'pino';
import type { TandemConfig } from './config.js';
import { tokenSecret } from './secret.js';

const HEARTBEAT_MS = 2_000;

export interface RunningTandem {
  /** Where the HTTP server listens, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  log: Logger;
  stop(): Promise<void>;
}

export function createLog(config: Pick<TandemConfig, 'logLevel' | 'nodeId'>): Logger {
  return pino({ level: config.logLevel, base: { nodeId: config.nodeId }, ...logRedaction });
}

/**
 * The single-node default (`tandem start`): signaling and one SFU node in one process,
 * coordination in memory, durable data in DATA_DIR. The cluster roles reuse the same
 * pieces with Redis in between.
 */
export async function startAll(config: TandemConfig, log: Logger = createLog(config)): Promise<RunningTandem> {
  const { secret, generated } = await tokenSecret(config.secret, config.dataDir);
  if (generated) log.warn('TANDEM_SECRET is not set: using a secret generated into DATA_DIR; set it in production');
  const support = await openSupportDomain({ dataDir: config.dataDir, secret, codeTtlMs: config.codeTtlMs, log });
  if (config.bootstrapAgent) await ensureAgent(support, config.bootstrapAgent, log);

  const sfu = await createSfuNode({
    nodeId: config.nodeId,
    numWorkers: config.workers,
    rtcPort: config.rtcPort,
    ...(config.announcedAddress ? { announcedAddress: config.announcedAddress } : {}),
    ...(config.workerBin ? { workerBin: config.workerBin } : {}),
    logger: log.child({ component: 'sfu' }),
  });
  const coordinator = new MemoryCoordinator();
  let state: 'SERVING' | 'DRAINING' = 'SERVING';
  let lastCpu: { ms: number; at: number } | undefined;
  const heartbeat = async (): Promise<void> => {
    const stats = await sfu.nodeStats();
    const cpuMs = stats.workers.reduce((sum, w) => sum + w.cpuMs, 0);
    const cpu = lastCpu ? Math.min(1, (cpuMs - lastCpu.ms) / ((Date.now() - lastCpu.at) * stats.workers.length)) : 0;
    lastCpu = { ms: cpuMs, at: Date.now() };
    await coordinator.heartbeat({
      nodeId: sfu.nodeId,
      controlUrl: 'local',
      state,
      maxConsumers: config.maxConsumers,
      load: { rooms: stats.rooms, consumers: stats.consumers, cpu },
    });
  };
  await heartbeat();
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => log.warn({ err: error }, 'node heartbeat failed'));
  }, HEARTBEAT_MS);
  timer.unref();

  const signaling = await buildSignalingApp({
    config: {
      serverId: config.nodeId,
      webRoot: config.webRoot,
      agentTokenTtlMs: 12 * 3600_000,
      customerTokenTtlMs: 4 * 3600_000,
      trustProxy: config.trustProxy,
      joinRatePerMinute: config.joinRatePerMinute,
    },
    support,
    coordinator,
    sfuNodes: new Map([[sfu.nodeId, sfu]]),
    log,
    isReady: async () => !sfu.closed,
  });
  const address = await signaling.app.listen({ port: config.port, host: config.host });
  const port = Number(new URL(address).port);
  log.info({ port, dataDir: config.dataDir, workers: config.workers }, 'Tandem is up');

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    stop: () =>
      (stopping ??= (async () => {
        state = 'DRAINING';
        clearInterval(timer);
        await signaling.close();
        await sfu.close();
        await coordinator.close();
        await support.close();
        log.info('Tandem stopped');
      })()),
  };
}

async function ensureAgent(
  support: Awaited<ReturnType<typeof openSupportDomain>>,
  agent: NonNullable<TandemConfig['bootstrapAgent']>,
  log: Logger,
): Promise<void> {
  const existing = (await support.agents.list()).find((a) => a.email === agent.email.trim().toLowerCase());
  if (existing) {
    await support.agents.setPassword(existing.agentId, agent.password);
    return;
  }
  const created = await support.agents.addAgent(agent);
  log.info({ agentId: created.agentId }, 'agent account created from the environment');
}
