import client from 'prom-client';
import type { SfuControl, SfuNodeStats } from '@tandem/protocol';
import type { SfuNodeHeartbeat } from '@tandem/cluster';

/** Stats fetched for one scrape serve every gauge collected within this window. */
const SCRAPE_REUSE_MS = 250;

export interface SignalingMetrics {
  registry: client.Registry;
  wsConnections: client.Gauge;
  peers: client.Gauge;
  requests: client.Counter<'method' | 'outcome'>;
  joinSeconds: client.Histogram;
  iceRestarts: client.Counter;
}

/**
 * Prometheus metrics for one process. Media counts are read from the SFU nodes at
 * scrape time, so they are never stale and cost nothing between scrapes.
 */
export function createMetrics(sfuNodes: () => Iterable<SfuControl>, coordinationUp: () => boolean): SignalingMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'tandem_process_' });
  registerCoordinationMetric(registry, coordinationUp);

  // Five gauges read the same figures during one scrape: ask each node once per scrape.
  let scrape: Promise<SfuNodeStats[]> | undefined;
  const stats = (): Promise<SfuNodeStats[]> => {
    scrape ??= Promise.all([...sfuNodes()].map((n) => n.request('nodeStats', {}).catch(() => null)))
      .then((all) => all.filter((s): s is SfuNodeStats => s !== null))
      .finally(() => setTimeout(() => (scrape = undefined), SCRAPE_REUSE_MS).unref());
    return scrape;
  };
  const media = (name: string, help: string, pick: (s: SfuNodeStats) => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await stats()) this.set({ node: s.nodeId }, pick(s));
      },
      labelNames: ['node'],
    });
  media('tandem_rooms', 'Rooms open on the SFU node', (s) => s.rooms);
  media('tandem_transports', 'WebRTC transports on the SFU node', (s) => s.transports);
  media('tandem_producers', 'Producers on the SFU node', (s) => s.producers);
  media('tandem_consumers', 'Consumers on the SFU node', (s) => s.consumers);
  new client.Gauge({
    name: 'tandem_worker_cpu_seconds',
    help: 'CPU time used by each mediasoup worker (user + system)',
    labelNames: ['node', 'pid'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await stats()) {
        for (const w of s.workers) this.set({ node: s.nodeId, pid: String(w.pid) }, w.cpuMs / 1000);
      }
    },
  });

  const requests = new client.Counter({
    name: 'tandem_ws_requests_total',
    help: 'Signaling requests by method and outcome (ok or error code)',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  });
  return {
    registry,
    requests,
    iceRestarts: iceRestartsCounter(registry, requests),
    wsConnections: new client.Gauge({ name: 'tandem_ws_connections', help: 'Open signaling WebSockets', registers: [registry] }),
    peers: new client.Gauge({ name: 'tandem_peers', help: 'Peers joined to calls', registers: [registry] }),
    joinSeconds: new client.Histogram({
      name: 'tandem_join_seconds',
      help: 'Time to answer a join request',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/**
 * ICE restarts served: a network that flaps shows as this rising. It is the count of
 * restartIce requests answered ok, read at scrape time from the request counter, so it
 * cannot drift from it and needs no hook in the call code.
 */
function iceRestartsCounter(registry: client.Registry, requests: client.Counter<'method' | 'outcome'>): client.Counter {
  return new client.Counter({
    name: 'tandem_ice_restarts_total',
    help: 'ICE restarts served (new ICE credentials for a transport whose media path was lost)',
    registers: [registry],
    async collect() {
      const served = (await requests.get()).values.find((v) => v.labels.method === 'restartIce' && v.labels.outcome === 'ok');
      this.reset();
      this.inc(served?.value ?? 0);
    },
  });
}

export function registerCoordinationMetric(registry: client.Registry, up: () => boolean): void {
  new client.Gauge({
    name: 'tandem_coordination_up',
    help: '1 while the coordinator (Redis in a cluster) is reachable',
    registers: [registry],
    collect() {
      this.set(up() ? 1 : 0);
    },
  });
}

const NODE_STATES = ['STARTING', 'SERVING', 'DRAINING'] as const;

/**
 * An SFU node's own figures, as it last reported them to the registry: what placement
 * sees is what ops graph. Registered by the process that runs the node.
 */
export function registerNodeMetrics(registry: client.Registry, current: () => SfuNodeHeartbeat | undefined): void {
  const gauge = (name: string, help: string, pick: (h: SfuNodeHeartbeat) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['node_id'],
      registers: [registry],
      collect() {
        this.reset();
        const h = current();
        if (h) this.set({ node_id: h.nodeId }, pick(h));
      },
    });
  new client.Gauge({
    name: 'tandem_node_info',
    help: 'The SFU node run by this process, labelled with its state (always 1)',
    labelNames: ['node_id', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      const h = current();
      if (!h) return;
      for (const state of NODE_STATES) this.set({ node_id: h.nodeId, state }, state === h.state ? 1 : 0);
    },
  });
  gauge('tandem_node_rooms', 'Rooms open on the SFU node', (h) => h.load.rooms);
  gauge('tandem_node_peers', 'Peers with a transport on the SFU node', (h) => h.load.peers);
  gauge('tandem_node_consumers', 'Consumers on the SFU node', (h) => h.load.consumers);
  gauge('tandem_node_cpu_ratio', 'Share of the node cores its workers use, 0..1', (h) => h.load.cpu);
  gauge('tandem_node_bitrate_bps', 'Media bits/s the node receives plus sends', (h) => h.load.bitrateBps);
}
