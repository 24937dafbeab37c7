import { randomBytes } from 'node:crypto';
import { TandemError, TypedEmitter, type SessionEndReason, type SessionSummary } from '@tandem/protocol';
import { newJoinCode, normalizeJoinCode } from './JoinCode.js';
import { KeyedQueue } from './KeyedQueue.js';
import type { SessionStore } from './SessionStore.js';
import { systemClock, type Clock, type SessionEvent, type SupportSession } from './SupportTypes.js';

export const DEFAULT_CODE_TTL_MS = 30 * 60_000;
const END_REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['ended-by-agent', 'expired', 'server-shutdown']);

export interface SupportSessionsOptions {
  /** How long a join code can be redeemed after the session is created. */
  codeTtlMs?: number;
  clock?: Clock;
}

export type SupportSessionsEvents = {
  /** After the change is durable. */
  stateChanged: [session: SupportSession];
};

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
 * Support sessions and their state machine: waiting → active → ended (final). Each
 * change is in the store before the call resolves; the store is replayed at open.
 */
export class SupportSessions extends TypedEmitter<SupportSessionsEvents> {
  readonly codeTtlMs: number;
  readonly clock: Clock;
  #sessions = new Map<string, SupportSession>();
  #byCode = new Map<string, string>();
  #queue = new KeyedQueue();

  private constructor(
    readonly store: SessionStore,
    options: SupportSessionsOptions,
  ) {
    super();
    this.codeTtlMs = options.codeTtlMs ?? DEFAULT_CODE_TTL_MS;
    this.clock = options.clock ?? systemClock;
    if (!Number.isFinite(this.codeTtlMs) || this.codeTtlMs <= 0) {
      throw new TandemError('BAD_PARAMS', 'join code lifetime must be positive');
    }
  }

  static async open(store: SessionStore, options: SupportSessionsOptions = {}): Promise<SupportSessions> {
    const sessions = new SupportSessions(store, options);
    for (const event of await store.replay()) sessions.#apply(event);
    return sessions;
  }

  async create(agentId: string): Promise<SupportSession> {
    if (typeof agentId !== 'string' || agentId.length < 1 || agentId.length > 128) {
      throw new TandemError('BAD_PARAMS', 'agentId is required');
    }
    let joinCode = newJoinCode();
    while (this.#byCode.has(joinCode)) joinCode = newJoinCode(); // 60 bits: practically never loops
    const now = this.clock();
    const session: SupportSession = {
      sessionId: `ses_${randomBytes(12).toString('base64url')}`,
      agentId,
      joinCode,
      codeExpiresAt: now + this.codeTtlMs,
      state: 'waiting',
      createdAt: now,
    };
    this.#byCode.set(joinCode, session.sessionId); // reserve while the write is in flight
    try {
      await this.#commit({ type: 'created', session });
    } catch (error) {
      this.#byCode.delete(joinCode);
      throw error;
    }
    return this.#copy(session.sessionId);
  }

  /** The session a customer's code opens. Changes nothing. */
  async redeemJoinCode(code: string): Promise<SupportSession> {
    const normalized = normalizeJoinCode(code);
    const sessionId = normalized === null ? undefined : this.#byCode.get(normalized);
    const session = sessionId === undefined ? undefined : this.#sessions.get(sessionId);
    if (!session) throw new TandemError('CODE_UNKNOWN', 'no session has this code');
    if (session.state === 'ended') throw new TandemError('SESSION_ENDED', 'this support session has ended');
    if (this.clock() >= session.codeExpiresAt) throw new TandemError('CODE_EXPIRED', 'this code has expired');
    return { ...session };
  }

  /** waiting → active; already active is fine; ended is refused. */
  markActive(sessionId: string): Promise<SupportSession> {
    return this.#queue.run(sessionId, async () => {
      const session = this.#require(sessionId);
      if (session.state === 'ended') throw new TandemError('SESSION_ENDED', 'this support session has ended');
      if (session.state === 'waiting') await this.#commit({ type: 'active', sessionId, at: this.clock() });
      return this.#copy(sessionId);
    });
  }

  /** Idempotent: ending an ended session returns it as it ended (first reason wins). */
  end(sessionId: string, reason: SessionEndReason): Promise<SupportSession> {
    return this.#queue.run(sessionId, async () => {
      if (!END_REASONS.has(reason)) throw new TandemError('BAD_PARAMS', 'unknown end reason');
      const session = this.#require(sessionId);
      if (session.state !== 'ended') await this.#commit({ type: 'ended', sessionId, at: this.clock(), reason });
      return this.#copy(sessionId);
    });
  }

  /** Ends waiting sessions whose code expired before anyone joined; returns them. */
  async expireStale(): Promise<SupportSession[]> {
    const now = this.clock();
    const stale = [...this.#sessions.values()].filter((s) => s.state === 'waiting' && s.codeExpiresAt <= now);
    const ended = await Promise.all(stale.map((s) => this.end(s.sessionId, 'expired')));
    return ended.filter((s) => s.endReason === 'expired');
  }

  async get(sessionId: string): Promise<SupportSession> {
    return { ...this.#require(sessionId) };
  }

  /** Newest first. */
  async listForAgent(agentId: string): Promise<SupportSession[]> {
    return [...this.#sessions.values()]
      .filter((s) => s.agentId === agentId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => ({ ...s }));
  }

  summary(session: SupportSession): SessionSummary {
    const { sessionId, state, joinCode, codeExpiresAt, createdAt } = session;
    return { sessionId, state, joinCode, joinPath: `/j/${joinCode}`, codeExpiresAt, createdAt };
  }

  /** Durable first, then visible, then announced. */
  async #commit(event: SessionEvent): Promise<void> {
    await this.store.append(event);
    this.#apply(event);
    const id = event.type === 'created' ? event.session.sessionId : event.sessionId;
    this.emit('stateChanged', this.#copy(id));
  }

  #apply(event: SessionEvent): void {
    apply(this.#sessions, event);
    if (event.type === 'created') this.#byCode.set(event.session.joinCode, event.session.sessionId);
  }

  #require(sessionId: string): SupportSession {
    const session = typeof sessionId === 'string' ? this.#sessions.get(sessionId) : undefined;
    if (!session) throw new TandemError('NOT_FOUND', 'no such session');
    return session;
  }

  #copy(sessionId: string): SupportSession {
    return { ...this.#require(sessionId) };
  }
}
