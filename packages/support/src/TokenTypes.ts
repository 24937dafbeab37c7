import type { Role } from '@tandem/protocol';

export type TokenScope = 'console' | 'call';

/** The JWT payload. Times are JWT NumericDates (whole seconds). */
export interface TokenClaims {
  /** Agent id, or the customer's subject id. */
  sub: string;
  role: Role;
  scope: TokenScope;
  /** Session id; call tokens only. */
  sid?: string;
  name: string;
  iat: number;
  exp: number;
  /** Unique per token, for audit and future revocation. */
  jti: string;
}

export interface IssuedToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  claims: TokenClaims;
}

export interface CallTokenRequest {
  sessionId: string;
  role: Role;
  /** Who the token is for: the agent id, or an id minted for the customer. */
  subject: string;
  displayName: string;
}

interface GrantsBase {
  subject: string;
  displayName: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  tokenId: string;
}

/** An agent at the console: may create and list their sessions, may not join a call with this. */
export interface ConsoleGrants extends GrantsBase {
  scope: 'console';
  role: 'agent';
  agentId: string;
}

/** A seat in one session's call, with one role. */
export interface CallGrants extends GrantsBase {
  scope: 'call';
  role: Role;
  sessionId: string;
}

export type Grants = ConsoleGrants | CallGrants;
