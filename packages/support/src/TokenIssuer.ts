import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TandemError, type Role } from '@tandem/protocol';
import { systemClock, type AgentAccount, type Clock } from './SupportTypes.js';
import type { CallGrants, CallTokenRequest, ConsoleGrants, IssuedToken, TokenClaims, TokenScope } from './TokenTypes.js';

export const MIN_SECRET_BYTES = 32;
/** Far above any token we mint; refuses garbage before hashing it. */
const MAX_TOKEN_CHARS = 4096;
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function unauthorized(message: string): TandemError {
  return new TandemError('UNAUTHORIZED', message);
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRole(value: unknown): value is Role {
  return value === 'agent' || value === 'customer';
}

/** Checks every claim's type; signature already checked, so this guards against our own bugs and old formats. */
function readClaims(value: unknown): TokenClaims | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const strings = ['sub', 'name', 'jti'].every((key) => typeof c[key] === 'string');
  const times = Number.isInteger(c.iat) && Number.isInteger(c.exp);
  const scopeOk = c.scope === 'console' || c.scope === 'call';
  const sidOk = c.sid === undefined || typeof c.sid === 'string';
  if (!strings || !times || !scopeOk || !isRole(c.role) || !sidOk) return null;
  return c as unknown as TokenClaims;
}

/**
 * HS256 JWTs for the console (agent's HTTP API) and for calls (the only thing `join`
 * accepts). Grants are minimal: a console token never joins a call, a call token names
 * one session and one role. Errors never quote the token.
 */
export class TokenIssuer {
  readonly #secret: Buffer;

  constructor(
    secret: string | Uint8Array,
    readonly clock: Clock = systemClock,
  ) {
    this.#secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (this.#secret.length < MIN_SECRET_BYTES) {
      throw new TandemError('BAD_PARAMS', `token secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
  }

  issueConsoleToken(agent: Pick<AgentAccount, 'agentId' | 'displayName'>, ttlMs: number): IssuedToken {
    return this.#issue({ sub: agent.agentId, role: 'agent', scope: 'console', name: agent.displayName }, ttlMs);
  }

  issueCallToken(request: CallTokenRequest, ttlMs: number): IssuedToken {
    if (!isRole(request.role)) throw new TandemError('BAD_PARAMS', 'role must be agent or customer');
    if (typeof request.sessionId !== 'string' || request.sessionId === '') {
      throw new TandemError('BAD_PARAMS', 'a call token needs a session');
    }
    const claims = { sub: request.subject, role: request.role, scope: 'call' as const, name: request.displayName };
    return this.#issue({ ...claims, sid: request.sessionId }, ttlMs);
  }

  verify(token: string, scope: 'console'): ConsoleGrants;
  verify(token: string, scope: 'call'): CallGrants;
  verify(token: string, scope: TokenScope): ConsoleGrants | CallGrants {
    const claims = this.#check(token);
    if (claims.exp * 1000 <= this.clock()) throw unauthorized('token expired');
    if (claims.scope !== scope) throw unauthorized(`token is not valid for ${scope}`);
    const common = { subject: claims.sub, displayName: claims.name, expiresAt: claims.exp * 1000, tokenId: claims.jti };
    if (claims.scope === 'console') {
      if (claims.role !== 'agent' || claims.sid !== undefined) throw unauthorized('token is not valid for console');
      return { scope: 'console', role: 'agent', agentId: claims.sub, ...common };
    }
    if (claims.sid === undefined || claims.sid === '') throw unauthorized('token names no session');
    return { scope: 'call', role: claims.role, sessionId: claims.sid, ...common };
  }

  #issue(claims: Omit<TokenClaims, 'iat' | 'exp' | 'jti'>, ttlMs: number): IssuedToken {
    if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.name !== 'string') {
      throw new TandemError('BAD_PARAMS', 'a token needs a subject and a display name');
    }
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new TandemError('BAD_PARAMS', 'token lifetime must be positive');
    const now = this.clock();
    // JWT times are whole seconds; round the expiry down so a token never outlives its ttl.
    const full: TokenClaims = {
      ...claims,
      iat: Math.floor(now / 1000),
      exp: Math.floor((now + ttlMs) / 1000),
      jti: randomBytes(16).toString('base64url'),
    };
    const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
    const token = `${HEADER}.${payload}.${this.#sign(`${HEADER}.${payload}`).toString('base64url')}`;
    return { token, expiresAt: full.exp * 1000, claims: full };
  }

  #sign(input: string): Buffer {
    return createHmac('sha256', this.#secret).update(input).digest();
  }

  #check(token: unknown): TokenClaims {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw unauthorized('token malformed');
    const parts = token.split('.');
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || !header || !payload || !signature || !parts.every((p) => BASE64URL.test(p))) {
      throw unauthorized('token malformed');
    }
    // Only HS256 is ever accepted: `alg: none` or an algorithm swap fails here.
    const head = decodeJson(header) as { alg?: unknown; typ?: unknown } | undefined;
    if (typeof head !== 'object' || head === null || head.alg !== 'HS256' || (head.typ !== undefined && head.typ !== 'JWT')) {
      throw unauthorized('token algorithm not accepted');
    }
    // Compared as text, so a re-encoded (non-canonical) signature is refused too.
    const given = Buffer.from(signature, 'utf8');
    const expected = Buffer.from(this.#sign(`${header}.${payload}`).toString('base64url'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('token signature invalid');
    const claims = readClaims(decodeJson(payload));
    if (!claims) throw unauthorized('token malformed');
    return claims;
  }
}
