import type { ChatMessage } from '@tandem/protocol';
import { sessionKeys } from './RedisKeys.js';
import { RedisScript, type RedisLink } from './RedisLink.js';
import { retryKey, strip, type TranscriptRepository } from './TranscriptRepository.js';
import { readTranscriptLine, type TranscriptLine } from './TranscriptStore.js';

/**
 * One script = one atomic step across every process: look the retry key up, else push the
 * line and record the key. Durable when the reply arrives because our Redis runs with
 * `appendonly yes` + `appendfsync always` (the AOF is fsync'd before the reply is sent);
 * with a laxer fsync policy an acknowledged line could be lost in a Redis crash.
 * A line added after the session ended inherits the session's remaining retention.
 */
const APPEND = new RedisScript(`
if ARGV[1] ~= '' then
  local original = redis.call('HGET', KEYS[2], ARGV[1])
  if original then return original end
end
redis.call('RPUSH', KEYS[1], ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[3])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return ARGV[2]`);

function parseLine(json: unknown): TranscriptLine | null {
  try {
    return readTranscriptLine(JSON.parse(String(json)));
  } catch {
    return null;
  }
}

/** Chat transcripts in Redis: a list of JSON lines per session, read fresh on every call. */
export class RedisTranscripts implements TranscriptRepository {
  constructor(readonly link: RedisLink) {}

  async append(line: TranscriptLine): Promise<ChatMessage> {
    const { chat, chatIds, session } = sessionKeys(line.sessionId);
    const stored = await this.link.run((redis) => APPEND.run(redis, [chat, chatIds, session], [retryKey(line) ?? '', JSON.stringify(line)]));
    const original = parseLine(stored);
    if (!original) throw new Error('the stored chat line is unreadable');
    return strip(original);
  }

  async list(sessionId: string): Promise<ChatMessage[]> {
    const raw = await this.link.run((redis) => redis.lrange(sessionKeys(sessionId).chat, 0, -1));
    return raw.map(parseLine).flatMap((line) => (line ? [strip(line)] : []));
  }

  /** Nothing is held per session. */
  async forget(): Promise<void> {}

  /** The domain closes the connection. */
  async close(): Promise<void> {}
}
