import type { Role, SessionEndReason, SessionState } from '@tandem/protocol';

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** The part of a pino logger the domain uses; `pino()` satisfies it as is. */
export interface SupportLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export const consoleLog: SupportLog = {
  warn: (fields, message) => console.warn(message, fields),
};

/** An agent as the rest of Tandem sees it: never carries the password hash. */
export interface AgentAccount {
  agentId: string;
  /** Normalized: trimmed, lower-case. */
  email: string;
  displayName: string;
}

/** What an AgentStore keeps. */
export interface AgentRecord extends AgentAccount {
  /** `scrypt$N$r$p$salt$key` (base64url parts), so parameters can change later. */
  passwordHash: string;
}

export interface NewAgent {
  email: string;
  displayName: string;
  password: string;
}

export interface SupportSession {
  sessionId: string;
  agentId: string;
  joinCode: string;
  codeExpiresAt: number;
  state: SessionState;
  createdAt: number;
  endedAt?: number;
  endReason?: SessionEndReason;
}

/** One line of the session log; replaying them in order rebuilds every session. */
export type SessionEvent =
  | { type: 'created'; session: SupportSession }
  | { type: 'active'; sessionId: string; at: number }
  | { type: 'ended'; sessionId: string; at: number; reason: SessionEndReason };

export interface ChatInput {
  /** Sender's peer id. */
  from: string;
  role: Role;
  displayName: string;
  text: string;
  /** Chosen by the client so a retried send is stored once. */
  clientMessageId: string;
}

/** Ids Tandem mints and accepts: safe in URLs and as file names. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
