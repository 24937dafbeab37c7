import { AgentDirectory } from './AgentDirectory.js';
import { FileAgentStore, MemoryAgentStore, type AgentStore } from './AgentStore.js';
import { ChatTranscript } from './ChatTranscript.js';
import { RedisAgentStore } from './RedisAgentStore.js';
import { RedisLink } from './RedisLink.js';
import { RedisSessions } from './RedisSessions.js';
import { RedisTranscripts } from './RedisTranscripts.js';
import type { SessionRepository } from './SessionRepository.js';
import { FileSessionStore, MemorySessionStore, type SessionStore } from './SessionStore.js';
import { SupportSessions } from './SupportSessions.js';
import { consoleLog, systemClock, type Clock, type SupportLog } from './SupportTypes.js';
import { TokenIssuer } from './TokenIssuer.js';
import type { TranscriptRepository } from './TranscriptRepository.js';
import { FileTranscriptStore, MemoryTranscriptStore, type TranscriptStore } from './TranscriptStore.js';

export interface SupportDomainOptions {
  /** Where durable data lives (single node). Without it (and without redisUrl) everything is in memory. */
  dataDir?: string;
  /**
   * Cluster mode: agents, sessions and transcripts live in this Redis, shared by every
   * signaling process, and every read goes to it. Takes precedence over dataDir.
   */
  redisUrl?: string;
  /** HMAC key for tokens, at least 32 bytes. */
  secret: string | Uint8Array;
  codeTtlMs?: number;
  clock?: Clock;
  log?: SupportLog;
}

export interface SupportDomain {
  agents: AgentDirectory;
  tokens: TokenIssuer;
  sessions: SupportSessions;
  chat: ChatTranscript;
  /** Waits for pending writes, then closes files or quits the Redis connection. */
  close(): Promise<void>;
}

interface Storage {
  agents: AgentStore;
  sessions: SessionStore | SessionRepository;
  transcripts: TranscriptStore | TranscriptRepository;
  close(): Promise<void>;
}

/** Redis unreachable at open fails with COORDINATION_UNAVAILABLE after a few seconds. */
async function redisStorage(url: string, log: SupportLog, clock: Clock): Promise<Storage> {
  const link = await RedisLink.open(url, log);
  const storage = { agents: new RedisAgentStore(link), sessions: new RedisSessions(link, clock), transcripts: new RedisTranscripts(link) };
  return { ...storage, close: () => link.close() };
}

async function fileStorage(dataDir: string, log: SupportLog): Promise<Storage> {
  const agents = await FileAgentStore.open(dataDir, log);
  const sessions = await FileSessionStore.open(dataDir, log);
  const transcripts = await FileTranscriptStore.open(dataDir, log).catch(async (error: unknown) => {
    await sessions.close();
    throw error;
  });
  return { agents, sessions, transcripts, close: async () => undefined };
}

export async function openSupportDomain(options: SupportDomainOptions): Promise<SupportDomain> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? consoleLog;
  const tokens = new TokenIssuer(options.secret, clock); // checks the secret before any file or socket is touched
  const { dataDir, redisUrl } = options;

  let storage: Storage;
  if (redisUrl !== undefined) storage = await redisStorage(redisUrl, log, clock);
  else if (dataDir !== undefined) storage = await fileStorage(dataDir, log);
  else {
    const memory = { agents: new MemoryAgentStore(), sessions: new MemorySessionStore(), transcripts: new MemoryTranscriptStore() };
    storage = { ...memory, close: async () => undefined };
  }

  const ttl = options.codeTtlMs === undefined ? {} : { codeTtlMs: options.codeTtlMs };
  const chat = new ChatTranscript(storage.transcripts, { clock });
  const sessions = await SupportSessions.open(storage.sessions, { clock, ...ttl }).catch(async (error: unknown) => {
    await Promise.all([chat.close(), storage.agents.close()]);
    await storage.close();
    throw error;
  });
  const agents = new AgentDirectory(storage.agents);

  return {
    agents,
    tokens,
    sessions,
    chat,
    async close() {
      await Promise.all([chat.close(), sessions.close(), storage.agents.close()]);
      await storage.close();
    },
  };
}
