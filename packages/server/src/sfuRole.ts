import { createServer, type Server } from 'node:http';
import client from 'prom-client';
import type { Coordinator } from '@tandem/cluster';
import { createSfuNode, SfuControlServer, type SfuNode } from '@tandem/sfu';
import { registerCoordinationMetric, registerNodeMetrics } from '@tandem/signaling';
import type { Logger } from 'pino';
import { controlUrlFor } from './clusterParts.js';
import type { TandemConfig } from './config.js';
import { SfuMembership } from './SfuMembership.js';

export interface RunningSfuNode {
  node: SfuNode;
  membership: SfuMembership;
  /** Port of the control/health HTTP server. */
  port: number;
  /** Resolves when the node has drained (or been stopped) and closed. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function createNode(config: TandemConfig, log: Logger): Promise<SfuNode> {
  return createSfuNode({
    nodeId: config.nodeId,
    numWorkers: config.workers,
    rtcPort: config.rtcPort,
    pipeListenIp: config.pipeListenIp,
    ...(config.pipeAnnouncedAddress ? { pipeAnnouncedAddress: config.pipeAnnouncedAddress } : {}),
    ...(config.announcedAddress ? { announcedAddress: config.announcedAddress } : {}),
    ...(config.listenIp ? { listenIp: config.listenIp } : {}),
    ...(config.workerBin ? { workerBin: config.workerBin } : {}),
    logger: log.child({ component: 'sfu' }),
  });
}

/**
 * An SFU node serving a cluster: mediasoup workers, the authenticated control endpoint
 * signaling dials (/control), /healthz (never depends on Redis), /readyz and /metrics,
 * and its membership record. `port` 0 picks a free port.
 */
export async function serveSfuNode(
  config: TandemConfig,
  coordinator: Coordinator,
  log: Logger,
  options: { port: number; host: string; node?: SfuNode },
): Promise<RunningSfuNode> {
  if (!config.clusterSecret) throw new Error('TANDEM_CLUSTER_SECRET is required for an SFU node in a cluster');
  const node = options.node ?? (await createNode(config, log));
  const control = new SfuControlServer(node, { secret: config.clusterSecret, logger: log.child({ component: 'control' }) });
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'tandem_process_' });
  registerCoordinationMetric(registry, () => coordinator.available);

  let membership: SfuMembership | undefined;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: { code: 'BAD_MESSAGE', message: 'GET only' } });
    if (req.url === '/healthz') return send(200, { ok: true });
    if (req.url === '/readyz') {
      const ready = !node.closed && membership?.state === 'SERVING' && coordinator.available;
      return send(ready ? 200 : 503, { ready, state: membership?.state });
    }
    if (req.url === '/metrics') {
      void registry.metrics().then((text) => send(200, text, registry.contentType));
      return;
    }
    send(404, { error: { code: 'NOT_FOUND', message: 'not here' } });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!control.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await membership?.stop();
      await node.close(); // control clients see nodeDown and move what is left
      await control.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info({ nodeId: config.nodeId }, 'SFU node stopped');
      finished();
    })());

  membership = new SfuMembership({
    coordinator,
    stats: () => node.nodeStats(),
    nodeId: config.nodeId,
    controlUrl: controlUrlFor(config, port),
    maxConsumers: config.maxConsumers,
    drainDeadlineMs: config.drainDeadlineMs,
    log,
    onDrained: () => void stop(),
  });
  registerNodeMetrics(registry, () => membership?.current);
  await membership.start();
  log.info({ port, controlUrl: controlUrlFor(config, port) }, 'SFU node serving');
  return { node, membership, port, done, stop };
}
