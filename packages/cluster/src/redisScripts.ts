import type { Redis } from 'ioredis';

/**
 * The Lua the Redis coordinator runs. Each script touches the keys of one hash slot only
 * (all `{nodes}` keys, or all keys of one `{room:<id>}`), so it runs on Redis Cluster too.
 */

/** KEYS: records, claims, requested. ARGV: nodeId, record JSON. Returns the requested state or nil. */
const HEARTBEAT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('HGET', KEYS[3], ARGV[1])
`;

/**
 * KEYS: the room's placement hash. ARGV: nodeId, placedAt, then the nodes a claim may stay on.
 * Keeps a claim held by one of those nodes, else takes the room. Returns {nodeId, placedAt, won}.
 */
const CLAIM_ROOM = `
local current = redis.call('HMGET', KEYS[1], 'nodeId', 'placedAt')
if current[1] then
  for i = 3, #ARGV do
    if ARGV[i] == current[1] then return {current[1], current[2] or '0', 0} end
  end
end
redis.call('HSET', KEYS[1], 'nodeId', ARGV[1], 'placedAt', ARGV[2])
return {ARGV[1], ARGV[2], 1}
`;

/** KEYS: the room's placement hash. ARGV: nodeId. Deletes the claim only if that node holds it. */
const RELEASE_ROOM = `
if redis.call('HGET', KEYS[1], 'nodeId') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: a roster hash. ARGV: field, value, ttl ms. The write and its TTL refresh land together. */
const ROSTER_PUT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return redis.call('PEXPIRE', KEYS[1], ARGV[3])
`;

export interface ScriptedRedis extends Redis {
  tandemHeartbeat(records: string, claims: string, requested: string, nodeId: string, record: string): Promise<string | null>;
  tandemClaimRoom(placement: string, nodeId: string, placedAt: number, ...keepOn: string[]): Promise<[string, string, number]>;
  tandemReleaseRoom(placement: string, nodeId: string): Promise<number>;
  tandemRosterPut(roster: string, field: string, value: string, ttlMs: number): Promise<number>;
}

/** Registers the scripts; ioredis runs them by SHA and reloads them after a Redis restart. */
export function withScripts(client: Redis): ScriptedRedis {
  client.defineCommand('tandemHeartbeat', { numberOfKeys: 3, lua: HEARTBEAT });
  client.defineCommand('tandemClaimRoom', { numberOfKeys: 1, lua: CLAIM_ROOM });
  client.defineCommand('tandemReleaseRoom', { numberOfKeys: 1, lua: RELEASE_ROOM });
  client.defineCommand('tandemRosterPut', { numberOfKeys: 1, lua: ROSTER_PUT });
  return client as ScriptedRedis;
}
