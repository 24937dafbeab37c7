import { join } from 'node:path';
import { ensureDataDir, JsonLinesFile } from './DurableFile.js';
import type { SessionEvent, SupportLog } from './SupportTypes.js';

/** The session log: every state change, in order. Replaying it rebuilds every session. */
export interface SessionStore {
  /** All events written so far, oldest first. */
  replay(): Promise<SessionEvent[]>;
  /** Durable when it resolves. */
  append(event: SessionEvent): Promise<void>;
  close(): Promise<void>;
}

export class MemorySessionStore implements SessionStore {
  #events: SessionEvent[] = [];

  async replay(): Promise<SessionEvent[]> {
    return structuredClone(this.#events);
  }

  async append(event: SessionEvent): Promise<void> {
    this.#events.push(structuredClone(event));
  }

  async close(): Promise<void> {}
}

const END_REASONS = new Set(['ended-by-agent', 'expired', 'server-shutdown']);
const STATES = new Set(['waiting', 'active', 'ended']);

/** Accepts only well-formed events, so a damaged line can't put a half-session in memory. */
export function readSessionEvent(value: unknown): SessionEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  if (e.type === 'created') {
    const s = e.session as Record<string, unknown> | null | undefined;
    if (typeof s !== 'object' || s === null) return null;
    const ok =
      ['sessionId', 'agentId', 'joinCode'].every((key) => typeof s[key] === 'string') &&
      ['codeExpiresAt', 'createdAt'].every((key) => typeof s[key] === 'number') &&
      STATES.has(s.state as string);
    return ok ? (value as SessionEvent) : null;
  }
  if (typeof e.sessionId !== 'string' || typeof e.at !== 'number') return null;
  if (e.type === 'active') return value as SessionEvent;
  if (e.type === 'ended' && END_REASONS.has(e.reason as string)) return value as SessionEvent;
  return null;
}

/** DATA_DIR/sessions.jsonl: append-only, fsync'd per event. */
export class FileSessionStore implements SessionStore {
  private constructor(
    readonly file: JsonLinesFile<SessionEvent>,
    readonly events: SessionEvent[],
  ) {}

  static async open(dataDir: string, log: SupportLog): Promise<FileSessionStore> {
    await ensureDataDir(dataDir);
    const { file, records } = await JsonLinesFile.open(join(dataDir, 'sessions.jsonl'), log, readSessionEvent);
    return new FileSessionStore(file, records);
  }

  async replay(): Promise<SessionEvent[]> {
    return [...this.events];
  }

  async append(event: SessionEvent): Promise<void> {
    await this.file.append(event);
    this.events.push(event);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
