import { randomBytes } from 'node:crypto';
import { TandemError, TypedEmitter, type SessionEndReason, type SessionSummary } from '@tandem/protocol';
import { newJoinCode, normalizeJoinCode } from './JoinCode.js';
import { ReplayedSessions } from './ReplayedSessions.js';
import type { SessionChange, SessionRepository } from './SessionRepository.js';
import type { SessionStore } from './SessionStore.js';
import { ID_PATTERN, systemClock, type Clock, type SupportSession } from './SupportTypes.js';

export const DEFAULT_CODE_TTL_MS = 30 * 60_000;
const END_REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['ended-by-agent', 'expired', 'server-shutdown']);
/** 60-bit codes collide practically never; the bound only stops a broken repository from looping. */
const MAX_CODE_ATTEMPTS = 8;

export interface SupportSessionsOptions {
  /** How long a join code can be redeemed after the session is created. */
  codeTtlMs?: number;
  clock?: Clock;
}

export type SupportSessionsEvents = {
  /** After the change is durable; only in the process that made it. */
  stateChanged: [session: SupportSession];
};

/** A SessionStore is an event log to replay; anything else is already a repository. */
function isSessionStore(storage: SessionStore | SessionRepository): storage is SessionStore {
  return typeof (storage as Partial<SessionStore>).replay === 'function';
}

/**
 * Support sessions and their state machine: waiting → active → ended (final). Each
 * change is durable in the repository before the call resolves; the repository makes
 * each transition atomic, so several processes can share one.
 */
export class SupportSessions extends TypedEmitter<SupportSessionsEvents> {
  readonly codeTtlMs: number;
  readonly clock: Clock;

  private constructor(
    readonly repository: SessionRepository,
    options: SupportSessionsOptions,
  ) {
    super();
    this.codeTtlMs = options.codeTtlMs ?? DEFAULT_CODE_TTL_MS;
    this.clock = options.clock ?? systemClock;
  }

  /** Over an event log (replayed now) or over a shared repository such as Redis. */
  static async open(storage: SessionStore | SessionRepository, options: SupportSessionsOptions = {}): Promise<SupportSessions> {
    const ttl = options.codeTtlMs;
    if (ttl !== undefined && (!Number.isFinite(ttl) || ttl <= 0)) {
      throw new TandemError('BAD_PARAMS', 'join code lifetime must be positive');
    }
    const repository = isSessionStore(storage) ? await ReplayedSessions.open(storage) : storage;
    return new SupportSessions(repository, options);
  }

  async create(agentId: string): Promise<SupportSession> {
    if (typeof agentId !== 'string' || agentId.length < 1 || agentId.length > 128) {
      throw new TandemError('BAD_PARAMS', 'agentId is required');
    }
    const now = this.clock();
    const sessionId = `ses_${randomBytes(12).toString('base64url')}`;
    for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
      const session: SupportSession = {
        sessionId,
        agentId,
        joinCode: newJoinCode(),
        codeExpiresAt: now + this.codeTtlMs,
        state: 'waiting',
        createdAt: now,
      };
      if (await this.repository.insert({ ...session })) {
        this.emit('stateChanged', { ...session });
        return session;
      }
    }
    throw new TandemError('BAD_STATE', 'could not find a free join code');
  }

  /** The session a customer's code opens. Changes nothing. */
  async redeemJoinCode(code: string): Promise<SupportSession> {
    const normalized = normalizeJoinCode(code);
    const session = normalized === null ? null : await this.repository.findByJoinCode(normalized);
    if (!session) throw new TandemError('CODE_UNKNOWN', 'no session has this code');
    if (session.state === 'ended') throw new TandemError('SESSION_ENDED', 'this support session has ended');
    if (this.clock() >= session.codeExpiresAt) throw new TandemError('CODE_EXPIRED', 'this code has expired');
    return session;
  }

  /** waiting → active; already active is fine; ended is refused. */
  async markActive(sessionId: string): Promise<SupportSession> {
    checkSessionId(sessionId);
    const { session } = this.#announce(await this.repository.activate(sessionId, this.clock()));
    if (session.state === 'ended') throw new TandemError('SESSION_ENDED', 'this support session has ended');
    return session;
  }

  /** Idempotent: ending an ended session returns it as it ended (first reason wins). */
  async end(sessionId: string, reason: SessionEndReason): Promise<SupportSession> {
    return (await this.#end(sessionId, reason)).session;
  }

  /** Ends waiting sessions whose code expired before anyone joined; returns the ones this call ended. */
  async expireStale(): Promise<SupportSession[]> {
    const stale = await this.repository.listExpiredWaiting(this.clock());
    const changes = await Promise.all(stale.map((s) => this.#end(s.sessionId, 'expired')));
    return changes.filter((c) => c.changed).map((c) => c.session);
  }

  async get(sessionId: string): Promise<SupportSession> {
    checkSessionId(sessionId);
    const session = await this.repository.get(sessionId);
    if (!session) throw notFound();
    return session;
  }

  /** Newest first. */
  async listForAgent(agentId: string): Promise<SupportSession[]> {
    if (typeof agentId !== 'string' || agentId.length < 1 || agentId.length > 128) return [];
    return this.repository.listForAgent(agentId);
  }

  summary(session: SupportSession): SessionSummary {
    const { sessionId, state, joinCode, codeExpiresAt, createdAt } = session;
    return { sessionId, state, joinCode, joinPath: `/j/${joinCode}`, codeExpiresAt, createdAt };
  }

  /** Waits for pending changes, then lets go of the storage. */
  close(): Promise<void> {
    return this.repository.close();
  }

  async #end(sessionId: string, reason: SessionEndReason): Promise<SessionChange> {
    if (!END_REASONS.has(reason)) throw new TandemError('BAD_PARAMS', 'unknown end reason');
    checkSessionId(sessionId);
    return this.#announce(await this.repository.end(sessionId, this.clock(), reason));
  }

  /** Durable first (the repository resolved), then announced. */
  #announce(change: SessionChange | null): SessionChange {
    if (!change) throw notFound();
    if (change.changed) this.emit('stateChanged', { ...change.session });
    return change;
  }
}

function notFound(): TandemError {
  return new TandemError('NOT_FOUND', 'no such session');
}

/** Ids we mint match ID_PATTERN; anything else can't name a session (and never reaches storage). */
function checkSessionId(sessionId: unknown): asserts sessionId is string {
  if (typeof sessionId !== 'string' || !ID_PATTERN.test(sessionId)) throw notFound();
}
