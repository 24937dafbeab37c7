import { TandemError } from '@tandem/protocol';
import { isAgentRecord, type AgentStore } from './AgentStore.js';
import { AGENT_EMAIL_PREFIX, AGENT_IDS_KEY, agentEmailKey, agentKey } from './RedisKeys.js';
import { RedisScript, type RedisLink } from './RedisLink.js';
import type { AgentRecord } from './SupportTypes.js';

/**
 * Insert-or-replace with the email index in one step, so two processes adding the same
 * email can't both win. The old email's index key is built from the prefix: it is in the
 * same `{agents}` slot by construction.
 */
const PUT = new RedisScript(`
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[1] then return 0 end
local old = redis.call('GET', KEYS[1])
if old then
  local oldKey = ARGV[3] .. cjson.decode(old).email
  if oldKey ~= KEYS[2] then redis.call('DEL', oldKey) end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`);

function parseRecord(json: string | null): AgentRecord | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return isAgentRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** Agents' accounts in Redis, read fresh on every call so a new agent can log in on any process. */
export class RedisAgentStore implements AgentStore {
  constructor(readonly link: RedisLink) {}

  get(agentId: string): Promise<AgentRecord | null> {
    return this.link.run(async (redis) => parseRecord(await redis.get(agentKey(agentId))));
  }

  findByEmail(email: string): Promise<AgentRecord | null> {
    return this.link.run(async (redis) => {
      const agentId = await redis.get(agentEmailKey(email));
      const record = agentId === null ? null : parseRecord(await redis.get(agentKey(agentId)));
      return record?.email === email ? record : null;
    });
  }

  list(): Promise<AgentRecord[]> {
    return this.link.run(async (redis) => {
      const ids = await redis.smembers(AGENT_IDS_KEY);
      if (ids.length === 0) return [];
      const records = await redis.mget(ids.map(agentKey)); // one slot: fine on Redis Cluster too
      return records.map(parseRecord).filter((r): r is AgentRecord => r !== null);
    });
  }

  async put(record: AgentRecord): Promise<void> {
    const keys = [agentKey(record.agentId), agentEmailKey(record.email), AGENT_IDS_KEY];
    const args = [record.agentId, JSON.stringify(record), AGENT_EMAIL_PREFIX];
    const stored = await this.link.run((redis) => PUT.run(redis, keys, args));
    if (stored !== 1) throw new TandemError('BAD_STATE', 'an agent with this email exists');
  }

  async close(): Promise<void> {}
}
