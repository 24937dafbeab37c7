import { randomBytes } from 'node:crypto';
import {
  JoinCodeBody,
  JoinCodeParams,
  LoginBody,
  SessionIdParams,
  TandemError,
  type CallTokenReply,
  type CreatedSession,
  type LoginReply,
  type SessionSummary,
} from '@tandem/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { RateLimiter } from '../RateLimiter.js';
import type { SignalingServices } from '../SignalingTypes.js';

/** The HTTP API of packages/protocol/src/http.ts. */
export async function apiRoutes(app: FastifyInstance, services: SignalingServices): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { support, config } = services;
  // Public endpoints a guesser would hammer: a handful per minute per address is plenty for a person.
  const loginLimiter = new RateLimiter(10, 10 / 60);
  const joinLimiter = new RateLimiter(config.joinRatePerMinute, config.joinRatePerMinute / 60);
  const limit = (limiter: RateLimiter, request: FastifyRequest): void => {
    if (!limiter.take(request.ip)) throw new TandemError('RATE_LIMITED', 'too many attempts; wait a minute');
  };
  const consoleGrants = (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token) throw new TandemError('UNAUTHORIZED', 'sign in first');
    const grants = support.tokens.verify(token, 'console');
    if (grants.scope !== 'console') throw new TandemError('UNAUTHORIZED', 'not a console token');
    return grants;
  };
  const summary = (s: Parameters<typeof support.sessions.summary>[0]): SessionSummary => support.sessions.summary(s);
  const agentCallToken = (sessionId: string, agent: { subject: string; displayName: string }): CallTokenReply => {
    const issued = support.tokens.issueCallToken(
      { sessionId, role: 'agent', subject: agent.subject, displayName: agent.displayName },
      config.agentTokenTtlMs,
    );
    return { token: issued.token, sessionId, role: 'agent', expiresAt: issued.expiresAt };
  };

  api.post('/api/v1/agent/login', { schema: { body: LoginBody } }, async (request): Promise<LoginReply> => {
    limit(loginLimiter, request);
    const agent = await support.agents.verify(request.body.email, request.body.password);
    if (!agent) throw new TandemError('BAD_CREDENTIALS', 'wrong email or password');
    const issued = support.tokens.issueConsoleToken(agent, config.agentTokenTtlMs);
    request.log.info({ agentId: agent.agentId }, 'agent signed in');
    return { token: issued.token, expiresAt: issued.expiresAt, agent };
  });

  api.post('/api/v1/sessions', { schema: { body: Type.Optional(Type.Object({}, { additionalProperties: false })) } },
    async (request, reply): Promise<CreatedSession> => {
      const agent = consoleGrants(request);
      const session = await support.sessions.create(agent.agentId);
      request.log.info({ sessionId: session.sessionId, agentId: agent.agentId }, 'support session created');
      void reply.status(201);
      return { ...summary(session), callToken: agentCallToken(session.sessionId, agent).token };
    });

  api.get('/api/v1/sessions', async (request): Promise<{ sessions: SessionSummary[] }> => {
    const agent = consoleGrants(request);
    const sessions = await support.sessions.listForAgent(agent.agentId);
    return { sessions: sessions.sort((a: { createdAt: number }, b: { createdAt: number }) => b.createdAt - a.createdAt).slice(0, 50).map(summary) };
  });

  const ownSession = async (request: FastifyRequest, id: string) => {
    const agent = consoleGrants(request);
    const session = await support.sessions.get(id);
    if (session.agentId !== agent.agentId) throw new TandemError('FORBIDDEN', 'not your session');
    return { agent, session };
  };

  api.post('/api/v1/sessions/:id/token', { schema: { params: SessionIdParams } }, async (request): Promise<CallTokenReply> => {
    const { agent, session } = await ownSession(request, request.params.id);
    if (session.state === 'ended') throw new TandemError('SESSION_ENDED', 'this support session has ended');
    return agentCallToken(session.sessionId, agent);
  });

  api.post('/api/v1/sessions/:id/end', { schema: { params: SessionIdParams } }, async (request): Promise<SessionSummary> => {
    const { session } = await ownSession(request, request.params.id);
    const ended = await support.sessions.end(session.sessionId, 'ended-by-agent');
    await services.rooms.end(session.sessionId, 'ended-by-agent');
    return summary(ended);
  });

  api.post('/api/v1/join/:code', { schema: { params: JoinCodeParams, body: Type.Optional(JoinCodeBody) } },
    async (request): Promise<CallTokenReply> => {
      limit(joinLimiter, request);
      const session = await support.sessions.redeemJoinCode(request.params.code);
      // Each redemption is a new customer identity; a reload reuses the token, so stays the same peer.
      const subject = `c_${randomBytes(9).toString('base64url')}`;
      const displayName = request.body?.displayName ?? '';
      const issued = support.tokens.issueCallToken(
        { sessionId: session.sessionId, role: 'customer', subject, displayName },
        config.customerTokenTtlMs,
      );
      request.log.info({ sessionId: session.sessionId, peerId: subject }, 'join code redeemed');
      return { token: issued.token, sessionId: session.sessionId, role: 'customer', expiresAt: issued.expiresAt };
    });

  api.get('/api/v1/router-capabilities', async () => ({ routerRtpCapabilities: await services.routerRtpCapabilities() }));
}
