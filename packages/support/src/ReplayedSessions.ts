import type { SessionEndReason } from '@tandem/protocol';
import { KeyedQueue } from './KeyedQueue.js';
import type { SessionChange, SessionRepository } from './SessionRepository.js';
import type { SessionStore } from './SessionStore.js';
import type { SessionEvent, SupportSession } from './SupportTypes.js';

/** Applies one event; ended is final, so a late or replayed event can't revive a session. */
function apply(sessions: Map<string, SupportSession>, event: SessionEvent): void {
  if (event.type === 'created') {
    if (!sessions.has(event.session.sessionId)) sessions.set(event.session.sessionId, { ...event.session });
    return;
  }
  const session = sessions.get(event.sessionId);
  if (!session || session.state === 'ended') return;
  if (event.type === 'active') session.state = 'active';
  else Object.assign(session, { state: 'ended', endedAt: event.at, endReason: event.reason });
}

/**
 * Single-process sessions: an event log (file or memory) replayed into a Map at open.
 * Each change is in the log before it is visible; one queue per session makes
 * check-then-write a single step.
 */
export class ReplayedSessions implements SessionRepository {
  #sessions = new Map<string, SupportSession>();
  #byCode = new Map<string, string>();
  #queue = new KeyedQueue();

  private constructor(readonly store: SessionStore) {}

  static async open(store: SessionStore): Promise<ReplayedSessions> {
    const sessions = new ReplayedSessions(store);
    for (const event of await store.replay()) sessions.#apply(event);
    return sessions;
  }

  async insert(session: SupportSession): Promise<boolean> {
    if (this.#byCode.has(session.joinCode)) return false;
    this.#byCode.set(session.joinCode, session.sessionId); // reserve while the write is in flight
    try {
      await this.#commit({ type: 'created', session: { ...session } });
    } catch (error) {
      this.#byCode.delete(session.joinCode);
      throw error;
    }
    return true;
  }

  async get(sessionId: string): Promise<SupportSession | null> {
    const session = this.#sessions.get(sessionId);
    return session ? { ...session } : null;
  }

  async findByJoinCode(joinCode: string): Promise<SupportSession | null> {
    const sessionId = this.#byCode.get(joinCode);
    return sessionId === undefined ? null : this.get(sessionId);
  }

  async listForAgent(agentId: string): Promise<SupportSession[]> {
    return [...this.#sessions.values()]
      .filter((s) => s.agentId === agentId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => ({ ...s }));
  }

  async listExpiredWaiting(now: number): Promise<SupportSession[]> {
    return [...this.#sessions.values()].filter((s) => s.state === 'waiting' && s.codeExpiresAt <= now).map((s) => ({ ...s }));
  }

  activate(sessionId: string, at: number): Promise<SessionChange | null> {
    return this.#transition(sessionId, (s) => (s.state === 'waiting' ? { type: 'active', sessionId, at } : null));
  }

  end(sessionId: string, at: number, reason: SessionEndReason): Promise<SessionChange | null> {
    return this.#transition(sessionId, (s) => (s.state !== 'ended' ? { type: 'ended', sessionId, at, reason } : null));
  }

  async close(): Promise<void> {
    await this.#queue.idle();
    await this.store.close();
  }

  #transition(sessionId: string, next: (session: SupportSession) => SessionEvent | null): Promise<SessionChange | null> {
    return this.#queue.run(sessionId, async () => {
      const session = this.#sessions.get(sessionId);
      if (!session) return null;
      const event = next(session);
      if (event) await this.#commit(event);
      return { session: { ...this.#sessions.get(sessionId)! }, changed: event !== null };
    });
  }

  /** Durable first, then visible. */
  async #commit(event: SessionEvent): Promise<void> {
    await this.store.append(event);
    this.#apply(event);
  }

  #apply(event: SessionEvent): void {
    apply(this.#sessions, event);
    if (event.type === 'created') this.#byCode.set(event.session.joinCode, event.session.sessionId);
  }
}
