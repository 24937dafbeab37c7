import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDataDir, writeFileAtomic } from './DurableFile.js';
import type { AgentRecord, SupportLog } from './SupportTypes.js';

/** Where agents' accounts live. Email is the normalized (lower-case) one. */
export interface AgentStore {
  get(agentId: string): Promise<AgentRecord | null>;
  findByEmail(email: string): Promise<AgentRecord | null>;
  list(): Promise<AgentRecord[]>;
  /** Inserts or replaces by agentId; durable when it resolves. */
  put(record: AgentRecord): Promise<void>;
  close(): Promise<void>;
}

export class MemoryAgentStore implements AgentStore {
  #byId = new Map<string, AgentRecord>();

  async get(agentId: string): Promise<AgentRecord | null> {
    return this.#byId.get(agentId) ?? null;
  }

  async findByEmail(email: string): Promise<AgentRecord | null> {
    return [...this.#byId.values()].find((record) => record.email === email) ?? null;
  }

  async list(): Promise<AgentRecord[]> {
    return [...this.#byId.values()];
  }

  async put(record: AgentRecord): Promise<void> {
    this.#byId.set(record.agentId, { ...record });
  }

  async close(): Promise<void> {}
}

export function isAgentRecord(value: unknown): value is AgentRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['agentId', 'email', 'displayName', 'passwordHash'].every((key) => typeof record[key] === 'string');
}

/** V8's parse errors quote the input, and this input holds password hashes: say less. */
function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
}

/**
 * DATA_DIR/agents.json, replaced atomically on every change (mode 0600). The file is
 * re-read when it changed on disk, so an agent added by the `tandem` CLI while the server
 * runs can log in without a restart.
 */
export class FileAgentStore implements AgentStore {
  readonly path: string;
  #memory = new MemoryAgentStore();
  #seen = '';
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(dataDir: string, readonly log: SupportLog) {
    this.path = join(dataDir, 'agents.json');
  }

  static async open(dataDir: string, log: SupportLog): Promise<FileAgentStore> {
    await ensureDataDir(dataDir);
    const store = new FileAgentStore(dataDir, log);
    await store.#refresh();
    return store;
  }

  async #refresh(): Promise<void> {
    const info = await stat(this.path).catch(() => null);
    const version = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : 'none';
    if (version === this.#seen) return;
    const memory = new MemoryAgentStore();
    if (info) {
      const parsed = parseJson(await readFile(this.path, 'utf8'), this.path);
      const agents = typeof parsed === 'object' && parsed !== null ? (parsed as { agents?: unknown }).agents : undefined;
      if (!Array.isArray(agents)) throw new Error(`${this.path} has no "agents" list`);
      for (const entry of agents) {
        if (isAgentRecord(entry)) await memory.put(entry);
        else this.log.warn({ path: this.path }, 'skipping an unreadable agent record');
      }
    }
    this.#memory = memory;
    this.#seen = version;
  }

  /** After startup a hand-edited, broken file must not lock every agent out: keep what we had. */
  async #refreshQuietly(): Promise<void> {
    try {
      await this.#refresh();
    } catch (error) {
      this.log.warn({ path: this.path, error: String(error) }, 'agents file unreadable; keeping the accounts already loaded');
    }
  }

  async get(agentId: string): Promise<AgentRecord | null> {
    await this.#refreshQuietly();
    return this.#memory.get(agentId);
  }

  async findByEmail(email: string): Promise<AgentRecord | null> {
    await this.#refreshQuietly();
    return this.#memory.findByEmail(email);
  }

  async list(): Promise<AgentRecord[]> {
    await this.#refreshQuietly();
    return this.#memory.list();
  }

  put(record: AgentRecord): Promise<void> {
    const write = this.#writes.then(async () => {
      await this.#refresh();
      const next = new MemoryAgentStore();
      for (const existing of await this.#memory.list()) await next.put(existing);
      await next.put(record);
      const agents = await next.list();
      await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, agents }, null, 2)}\n`);
      this.#memory = next;
      this.#seen = ''; // our own write changed the file; re-stat on next read
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.#writes;
  }
}
