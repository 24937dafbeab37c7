import { AgentDirectory } from './AgentDirectory.js';
import { FileAgentStore, MemoryAgentStore, type AgentStore } from './AgentStore.js';
import { ChatTranscript } from './ChatTranscript.js';
import { FileSessionStore, MemorySessionStore, type SessionStore } from './SessionStore.js';
import { SupportSessions } from './SupportSessions.js';
import { consoleLog, systemClock, type Clock, type SupportLog } from './SupportTypes.js';
import { TokenIssuer } from './TokenIssuer.js';
import { FileTranscriptStore, MemoryTranscriptStore, type TranscriptStore } from './TranscriptStore.js';

export interface SupportDomainOptions {
  /** Where durable data lives (single node). Without it everything is in memory. */
  dataDir?: string;
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
  /** Waits for pending writes, then closes files. */
  close(): Promise<void>;
}

export async function openSupportDomain(options: SupportDomainOptions): Promise<SupportDomain> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? consoleLog;
  const tokens = new TokenIssuer(options.secret, clock); // checks the secret before any file is touched
  const { dataDir } = options;

  let agentStore: AgentStore;
  let sessionStore: SessionStore;
  let transcriptStore: TranscriptStore;
  if (dataDir === undefined) {
    [agentStore, sessionStore, transcriptStore] = [new MemoryAgentStore(), new MemorySessionStore(), new MemoryTranscriptStore()];
  } else {
    agentStore = await FileAgentStore.open(dataDir, log);
    sessionStore = await FileSessionStore.open(dataDir, log);
    transcriptStore = await FileTranscriptStore.open(dataDir, log).catch(async (error: unknown) => {
      await sessionStore.close();
      throw error;
    });
  }

  const ttl = options.codeTtlMs === undefined ? {} : { codeTtlMs: options.codeTtlMs };
  const sessions = await SupportSessions.open(sessionStore, { clock, ...ttl }).catch(async (error: unknown) => {
    await Promise.all([sessionStore.close(), transcriptStore.close()]);
    throw error;
  });
  const agents = new AgentDirectory(agentStore);
  const chat = new ChatTranscript(transcriptStore, { clock });

  return {
    agents,
    tokens,
    sessions,
    chat,
    async close() {
      await chat.close();
      await Promise.all([agentStore.close(), sessionStore.close()]);
    },
  };
}
