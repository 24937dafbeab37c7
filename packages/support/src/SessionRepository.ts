import type { SessionEndReason } from '@tandem/protocol';
import type { SupportSession } from './SupportTypes.js';

/** What a transition did: the session as it now is, and whether this call changed it. */
export interface SessionChange {
  session: SupportSession;
  changed: boolean;
}

/**
 * Where support sessions live. Each transition is atomic in the repository itself, so
 * two signaling processes racing on one session still see one history. Every call
 * resolves only once its change is durable.
 */
export interface SessionRepository {
  /** Stores a new session; false (and nothing stored) when its join code is taken. */
  insert(session: SupportSession): Promise<boolean>;
  get(sessionId: string): Promise<SupportSession | null>;
  /** `joinCode` is normalized. */
  findByJoinCode(joinCode: string): Promise<SupportSession | null>;
  /** Newest first. */
  listForAgent(agentId: string): Promise<SupportSession[]>;
  /** Waiting sessions whose code ran out at or before `now`. */
  listExpiredWaiting(now: number): Promise<SupportSession[]>;
  /** waiting → active; unchanged when active or ended; null when there is no such session. */
  activate(sessionId: string, at: number): Promise<SessionChange | null>;
  /** → ended unless already ended (first reason wins); null when there is no such session. */
  end(sessionId: string, at: number, reason: SessionEndReason): Promise<SessionChange | null>;
  close(): Promise<void>;
}
