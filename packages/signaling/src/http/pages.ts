import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web app. Join links carry a secret code in their path, so pages
 * tell the browser never to send it onward in a Referer.
 */
export async function pageRoutes(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  if (!webRoot || !existsSync(join(webRoot, 'index.html'))) {
    app.log.warn({ webRoot }, 'web pages not built; run npm run build');
    return;
  }
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self)');
  });
  await app.register(fastifyStatic, { root: webRoot, index: false, wildcard: true });
  app.get('/', (_request, reply) => reply.sendFile('index.html'));
  app.get('/agent', (_request, reply) => reply.sendFile('agent.html'));
  app.get('/j/:code', (_request, reply) => reply.sendFile('join.html'));
  app.get('/ops', (_request, reply) => reply.sendFile('ops.html'));
}
