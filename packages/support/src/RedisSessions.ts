import type { SessionEndReason, SessionState } from '@tandem/protocol';
import { agentSessionsKey, ENDED_RETENTION_MS, joinCodeKey, sessionKeys, WAITING_SESSIONS_KEY } from './RedisKeys.js';
import { RedisScript, type RedisLink } from './RedisLink.js';
import type { SessionChange, SessionRepository } from './SessionRepository.js';
import { systemClock, type Clock, type SupportSession } from './SupportTypes.js';

/** An index entry whose session record is missing this long is debris of a failed create or an expired session. */
const ORPHAN_GRACE_MS = 10 * 60_000;
const STATES: ReadonlySet<string> = new Set<SessionState>(['waiting', 'active', 'ended']);
const END_REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['ended-by-agent', 'expired', 'server-shutdown']);

// Transitions read and write one session's hash in one script: atomic across processes.
const ACTIVATE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local changed = 0
if redis.call('HGET', KEYS[1], 'state') == 'waiting' then
  redis.call('HSET', KEYS[1], 'state', 'active')
  changed = 1
end
return {changed, redis.call('HGETALL', KEYS[1])}`);

// Ended is final and the first reason wins; the session's keys start their retention clock.
const END = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local changed = 0
if redis.call('HGET', KEYS[1], 'state') ~= 'ended' then
  redis.call('HSET', KEYS[1], 'state', 'ended', 'endedAt', ARGV[1], 'endReason', ARGV[2])
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
  changed = 1
end
return {changed, redis.call('HGETALL', KEYS[1])}`);

function fields(session: SupportSession): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(session)) if (value !== undefined) out[key] = String(value);
  return out;
}

/** Reads a session hash (object or HGETALL's flat list); anything malformed reads as missing. */
export function readSession(raw: Record<string, string> | unknown[]): SupportSession | null {
  const f: Record<string, string> = {};
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) f[String(raw[i])] = String(raw[i + 1]);
  else Object.assign(f, raw);
  const { sessionId, agentId, joinCode, state, endReason } = f;
  const codeExpiresAt = Number(f.codeExpiresAt);
  const createdAt = Number(f.createdAt);
  if (!sessionId || !agentId || !joinCode || !state || !STATES.has(state)) return null;
  if (!Number.isFinite(codeExpiresAt) || !Number.isFinite(createdAt)) return null;
  const session: SupportSession = { sessionId, agentId, joinCode, codeExpiresAt, state: state as SessionState, createdAt };
  if (f.endedAt !== undefined) session.endedAt = Number(f.endedAt);
  if (endReason !== undefined && END_REASONS.has(endReason)) session.endReason = endReason as SessionEndReason;
  return session;
}

function readChange(reply: unknown): SessionChange | null {
  if (!Array.isArray(reply) || !Array.isArray(reply[1])) return null;
  const session = readSession(reply[1] as unknown[]);
  return session ? { session, changed: reply[0] === 1 } : null;
}

/**
 * Sessions in Redis, shared by every signaling process; nothing is cached here.
 * The session hash is the truth and its write is the commit point of `insert`: the
 * indexes (join code, agent list, waiting set) are written before it and point at
 * nothing until it exists, so a create cut short by an outage leaves nothing visible.
 */
export class RedisSessions implements SessionRepository {
  constructor(
    readonly link: RedisLink,
    readonly clock: Clock = systemClock,
  ) {}

  insert(session: SupportSession): Promise<boolean> {
    const { sessionId, agentId, joinCode } = session;
    return this.link.run(async (redis) => {
      // The code outlives its redeem window by the retention time, so late tries still hear "expired"/"ended".
      const codeTtl = Math.max(1, session.codeExpiresAt - session.createdAt) + ENDED_RETENTION_MS;
      if ((await redis.set(joinCodeKey(joinCode), sessionId, 'PX', codeTtl, 'NX')) === null) return false;
      await redis.zadd(agentSessionsKey(agentId), session.createdAt, sessionId);
      await redis.zadd(WAITING_SESSIONS_KEY, session.codeExpiresAt, sessionId);
      await redis.hset(sessionKeys(sessionId).session, fields(session));
      return true;
    });
  }

  get(sessionId: string): Promise<SupportSession | null> {
    return this.link.run(async (redis) => readSession(await redis.hgetall(sessionKeys(sessionId).session)));
  }

  findByJoinCode(joinCode: string): Promise<SupportSession | null> {
    return this.link.run(async (redis) => {
      const sessionId = await redis.get(joinCodeKey(joinCode));
      if (sessionId === null) return null;
      const session = readSession(await redis.hgetall(sessionKeys(sessionId).session));
      return session?.joinCode === joinCode ? session : null;
    });
  }

  listForAgent(agentId: string): Promise<SupportSession[]> {
    const key = agentSessionsKey(agentId);
    return this.link.run(async (redis) => {
      const ids = await redis.zrevrange(key, 0, -1, 'WITHSCORES');
      const entries = Array.from({ length: ids.length / 2 }, (_, i) => ({ sessionId: ids[2 * i]!, createdAt: Number(ids[2 * i + 1]) }));
      // Issued together, so they travel as one pipeline.
      const records = await Promise.all(entries.map((e) => redis.hgetall(sessionKeys(e.sessionId).session)));
      const found: SupportSession[] = [];
      const orphans: string[] = [];
      entries.forEach((entry, i) => {
        const session = readSession(records[i]!);
        if (session?.agentId === agentId) found.push(session);
        else if (entry.createdAt < this.clock() - ORPHAN_GRACE_MS) orphans.push(entry.sessionId); // not a create in flight
      });
      if (orphans.length > 0) await redis.zrem(key, ...orphans);
      return found;
    });
  }

  listExpiredWaiting(now: number): Promise<SupportSession[]> {
    return this.link.run(async (redis) => {
      const ids = await redis.zrangebyscore(WAITING_SESSIONS_KEY, '-inf', now);
      const records = await Promise.all(ids.map((id) => redis.hgetall(sessionKeys(id).session)));
      const stale: SupportSession[] = [];
      const done: string[] = [];
      ids.forEach((sessionId, i) => {
        const session = readSession(records[i]!);
        if (session?.state === 'waiting') stale.push(session);
        else done.push(sessionId);
      });
      if (done.length > 0) await redis.zrem(WAITING_SESSIONS_KEY, ...done);
      return stale;
    });
  }

  async activate(sessionId: string, at: number): Promise<SessionChange | null> {
    const change = await this.link.run(async (redis) =>
      readChange(await ACTIVATE.run(redis, [sessionKeys(sessionId).session], [at])),
    );
    if (change?.changed) await this.#leaveWaiting(sessionId);
    return change;
  }

  async end(sessionId: string, at: number, reason: SessionEndReason): Promise<SessionChange | null> {
    const { session, chat, chatIds } = sessionKeys(sessionId);
    const change = await this.link.run(async (redis) =>
      readChange(await END.run(redis, [session, chat, chatIds], [at, reason, ENDED_RETENTION_MS])),
    );
    if (change?.changed) await this.#leaveWaiting(sessionId);
    return change;
  }

  /** The repository doesn't own the connection; the domain closes it. */
  async close(): Promise<void> {}

  /** Best effort: the change is committed already, and a stale entry is pruned by the next expiry sweep. */
  async #leaveWaiting(sessionId: string): Promise<void> {
    await this.link.run((redis) => redis.zrem(WAITING_SESSIONS_KEY, sessionId)).catch(() => undefined);
  }
}
