import {
  NetworkTestConnectBody,
  NetworkTestEchoBody,
  ProbeIdParams,
  TandemError,
  type NetworkTestOffer,
  type ProbeEcho,
} from '@tandem/protocol';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignalingServices } from '../SignalingTypes.js';
import type { NetworkTests, Tester } from './NetworkTests.js';

const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

/** The network-test routes of packages/protocol/src/networkTest.ts, authorised by the caller's call token. */
export async function networkTestRoutes(app: FastifyInstance, services: SignalingServices, tests: NetworkTests): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tester = async (request: FastifyRequest): Promise<Tester> => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token) throw new TandemError('UNAUTHORIZED', 'a call token is needed');
    const grants = services.support.tokens.verify(token, 'call');
    if (grants.scope !== 'call') throw new TandemError('UNAUTHORIZED', 'not a call token');
    const session = await services.support.sessions.get(grants.sessionId);
    if (session.state === 'ended') throw new TandemError('SESSION_ENDED', 'this support session has ended');
    return { sessionId: grants.sessionId, subject: grants.subject };
  };

  api.post('/api/v1/network-test', { schema: { body: EmptyBody } }, async (request, reply): Promise<NetworkTestOffer> => {
    const offer = await tests.open(await tester(request));
    void reply.status(201);
    return offer;
  });

  api.post('/api/v1/network-test/:probeId/connect', { schema: { params: ProbeIdParams, body: NetworkTestConnectBody } },
    async (request): Promise<Record<string, never>> => {
      await tests.connect(await tester(request), request.params.probeId, request.body.transportId, request.body.dtlsParameters);
      return {};
    });

  api.post('/api/v1/network-test/:probeId/echo', { schema: { params: ProbeIdParams, body: NetworkTestEchoBody } },
    async (request): Promise<ProbeEcho> => tests.echo(await tester(request), request.params.probeId, request.body));

  api.delete('/api/v1/network-test/:probeId', { schema: { params: ProbeIdParams } }, async (request): Promise<Record<string, never>> => {
    await tests.close(await tester(request), request.params.probeId);
    return {};
  });
}
