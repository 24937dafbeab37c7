import type { FastifyInstance } from 'fastify';
import type { SignalingMetrics } from '../metrics.js';
import type { SignalingServices } from '../SignalingTypes.js';

/**
 * Liveness says only "this process answers" and never depends on Redis or media, so an
 * orchestrator does not restart healthy nodes during a dependency outage. Readiness
 * says "send me traffic": the coordinator (Redis) is reachable, a media node is
 * serving, and we are not shutting down.
 */
export async function healthRoutes(
  app: FastifyInstance,
  services: SignalingServices & { metrics: SignalingMetrics; shuttingDown: () => boolean },
): Promise<void> {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const ready = !services.shuttingDown() && services.coordinator.available && (await (services.isReady?.() ?? Promise.resolve(true)).catch(() => false));
    void reply.status(ready ? 200 : 503);
    return { ready };
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });
}
