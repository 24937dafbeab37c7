import { Type, type Static } from '@sinclair/typebox';
import type { Role } from './signaling.js';

/**
 * The HTTP API (all JSON, under /api/v1). Errors come back with the status of their
 * code and a body `{ error: { code, message } }`.
 *
 * POST /api/v1/agent/login          LoginBody → LoginReply            (public, rate-limited)
 * POST /api/v1/sessions             {} → CreatedSession               (Bearer agent console token)
 * GET  /api/v1/sessions             → { sessions: SessionSummary[] }  (Bearer agent console token)
 * POST /api/v1/sessions/:id/token   {} → CallTokenReply               (Bearer agent console token; own sessions)
 * POST /api/v1/join/:code           JoinCodeBody → CallTokenReply     (public, rate-limited)
 * GET  /api/v1/router-capabilities  → { routerRtpCapabilities }       (public; lets a browser load its device early)
 * GET  /healthz, /readyz, /metrics
 */
export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export interface LoginReply {
  /** Console token: lets an agent create and list sessions. Not valid for joining a call. */
  token: string;
  expiresAt: number;
  agent: { agentId: string; email: string; displayName: string };
}

export const JoinCodeParams = Type.Object(
  { code: Type.String({ minLength: 4, maxLength: 32, pattern: '^[A-Za-z0-9]+$' }) },
  { additionalProperties: false },
);
export type JoinCodeParams = Static<typeof JoinCodeParams>;

export const JoinCodeBody = Type.Object(
  { displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })) },
  { additionalProperties: false },
);
export type JoinCodeBody = Static<typeof JoinCodeBody>;

export const SessionIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

export type SessionState = 'waiting' | 'active' | 'ended';

export interface SessionSummary {
  sessionId: string;
  state: SessionState;
  joinCode: string;
  /** Path of the customer link, e.g. /j/ABCD2345EFGH. */
  joinPath: string;
  codeExpiresAt: number;
  createdAt: number;
}

export interface CreatedSession extends SessionSummary {
  /** The agent's own call token for this session. */
  callToken: string;
}

/** A call token: the only thing `join` accepts. Scoped to one session and one role. */
export interface CallTokenReply {
  token: string;
  sessionId: string;
  role: Role;
  expiresAt: number;
}

export interface HttpErrorReply {
  error: { code: string; message: string };
}
