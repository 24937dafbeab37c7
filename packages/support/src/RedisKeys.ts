/**
 * Redis key names. Everything one atomic script touches shares a hash tag (`{…}`), so the
 * scripts also run on Redis Cluster; cross-slot indexes are only ever hints (see RedisSessions).
 */
export function sessionKeys(sessionId: string): { session: string; chat: string; chatIds: string } {
  const tag = `tandem:{ses:${sessionId}}`;
  return { session: `${tag}:session`, chat: `${tag}:chat`, chatIds: `${tag}:chat-ids` };
}

/** Join code → session id. */
export const joinCodeKey = (joinCode: string): string => `tandem:{code:${joinCode}}`;
/** Sorted set: the agent's session ids by createdAt. */
export const agentSessionsKey = (agentId: string): string => `tandem:{agt:${agentId}}:sessions`;
/** Sorted set: waiting session ids by codeExpiresAt, for expireStale. */
export const WAITING_SESSIONS_KEY = 'tandem:sessions:waiting';

/** Agents are few: all of them share one slot, so an insert and its email index are one script. */
export const AGENT_EMAIL_PREFIX = 'tandem:{agents}:email:';
export const agentKey = (agentId: string): string => `tandem:{agents}:agent:${agentId}`;
export const agentEmailKey = (email: string): string => `${AGENT_EMAIL_PREFIX}${email}`;
export const AGENT_IDS_KEY = 'tandem:{agents}:ids';

/**
 * An ended session's keys (record, transcript) are kept 30 days, then Redis drops them:
 * long enough for the agent to look back and for any export, short enough that Redis —
 * memory, not an archive — doesn't grow with every call ever made.
 */
export const ENDED_RETENTION_MS = 30 * 24 * 3_600_000;
