import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { TandemError } from '@tandem/protocol';
import { CallRooms } from './call/CallRooms.js';
import { installErrorHandler } from './http/errors.js';
import { apiRoutes } from './http/api.js';
import { healthRoutes } from './http/health.js';
import { opsRoutes } from './http/ops.js';
import { pageRoutes } from './http/pages.js';
import { createMetrics } from './metrics.js';
import type { SignalingDeps, SignalingServices } from './SignalingTypes.js';
import { PeerConnection } from './ws/PeerConnection.js';
import { NetworkTests } from './probe/NetworkTests.js';
import { networkTestRoutes } from './probe/networkTestRoutes.js';
import { ResumableConnections } from './ws/ResumableConnections.js';

/** How long a peer whose socket dropped stays in its call waiting for a resume (its media keeps flowing). */
const RESUME_GRACE_MS = 20_000;
import { SfuNodeDirectory } from './sfu-link/SfuNodeDirectory.js';

/** ws closes a connection outright above this; below it, PeerConnection answers FRAME_TOO_LARGE. */
const HARD_FRAME_LIMIT = 1024 * 1024;

export interface SignalingApp {
  app: FastifyInstance;
  /** Graceful stop: no new work, clients told to reconnect elsewhere, rooms freed. */
  close(): Promise<void>;
}

export async function buildSignalingApp(deps: SignalingDeps): Promise<SignalingApp> {
  const { config, support, log } = deps;
  const app = Fastify({
    loggerInstance: log,
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    // Refuse what does not match instead of quietly stripping or coercing it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  installErrorHandler(app);

  const metrics = createMetrics(() => deps.localSfuNodes, () => deps.coordinator.available);
  const sfuNodes = new SfuNodeDirectory(deps.coordinator, deps.connectSfu, log, [...deps.localSfuNodes]);
  await sfuNodes.start();
  const rooms = new CallRooms(
    deps.coordinator,
    sfuNodes,
    {
      log,
      pipeRole: config.pipeRole,
      turn: deps.turn,
      support: {
      appendChat: ({ sessionId, ...input }) => support.chat.append(sessionId, input),
      listChat: (sessionId) => support.chat.list(sessionId),
      markActive: async (sessionId) => {
        await support.sessions.markActive(sessionId);
      },
      endSession: async (sessionId, reason) => {
        await support.sessions.end(sessionId, reason);
      },
      },
    },
    log,
  );

  // Every router is built from the same codec list, so one router's capabilities are
  // every router's: a browser can load its device before it knows its room.
  let capabilities: Promise<unknown> | undefined;
  const routerRtpCapabilities = (): Promise<unknown> => {
    capabilities ??= (async () => (await sfuNodes.any().request('routerCapabilities', {})).routerRtpCapabilities)();
    capabilities.catch(() => (capabilities = undefined));
    return capabilities;
  };

  const services: SignalingServices = { ...deps, rooms, sfuNodes, routerRtpCapabilities };
  let shuttingDown = false;
  const connections = new Set<PeerConnection>();
  const resumable = new ResumableConnections<PeerConnection>(config.resumeGraceMs ?? RESUME_GRACE_MS);

  await app.register(websocket, { options: { maxPayload: HARD_FRAME_LIMIT } });
  await app.register(async (scope) => apiRoutes(scope, services));
  const networkTests = new NetworkTests({ coordinator: deps.coordinator, sfuNodes, turn: deps.turn, log });
  await app.register(async (scope) => networkTestRoutes(scope, services, networkTests));
  await app.register(async (scope) => healthRoutes(scope, { ...services, metrics, shuttingDown: () => shuttingDown }));
  await app.register(async (scope) => opsRoutes(scope, { coordinator: deps.coordinator, opsToken: config.opsToken }));
  await app.register(async (scope) => pageRoutes(scope, config.webRoot));

  app.get('/ws', { websocket: true }, (socket, request) => {
    if (shuttingDown) {
      socket.close(1012, 'server restarting');
      return;
    }
    const connection = new PeerConnection(socket, {
      serverId: config.serverId,
      resumable,
      rooms,
      verifyCallToken: (token) => {
        const grants = support.tokens.verify(token, 'call');
        if (grants.scope !== 'call') throw new TandemError('UNAUTHORIZED', 'not a call token');
        return grants;
      },
      sessionState: async (sessionId) => (await support.sessions.get(sessionId)).state,
      metrics,
      log: request.log,
    });
    connections.add(connection);
    socket.on('message', (data, isBinary) => connection.onFrame(data as Buffer, isBinary));
    socket.on('close', (code) => {
      connections.delete(connection);
      connection.onClose(code);
    });
    socket.on('error', (error) => request.log.warn({ err: error }, 'websocket error'));
  });

  return {
    app,
    async close() {
      shuttingDown = true;
      for (const connection of connections) {
        connection.notify('serverShuttingDown', {});
        connection.close(1012, 'server restarting');
      }
      resumable.expireAll();
      await networkTests.closeAll();
      await rooms.closeAll();
      await sfuNodes.close();
      await app.close();
    },
  };
}
