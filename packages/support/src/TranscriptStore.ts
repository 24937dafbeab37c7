import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatMessage } from '@tandem/protocol';
import { ensureDataDir, JsonLinesFile } from './DurableFile.js';
import { ID_PATTERN, type SupportLog } from './SupportTypes.js';

/** A stored chat line: the message plus the client's id for it (absent on system lines). */
export interface TranscriptLine extends ChatMessage {
  clientMessageId?: string;
}

/** Chat lines per session, oldest first. */
export interface TranscriptStore {
  load(sessionId: string): Promise<TranscriptLine[]>;
  /** Durable when it resolves. */
  append(sessionId: string, line: TranscriptLine): Promise<void>;
  /** Frees what is held for a session (open files); its lines stay stored. */
  release(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryTranscriptStore implements TranscriptStore {
  #lines = new Map<string, TranscriptLine[]>();

  async load(sessionId: string): Promise<TranscriptLine[]> {
    return structuredClone(this.#lines.get(sessionId) ?? []);
  }

  async append(sessionId: string, line: TranscriptLine): Promise<void> {
    const lines = this.#lines.get(sessionId) ?? [];
    lines.push(structuredClone(line));
    this.#lines.set(sessionId, lines);
  }

  async release(): Promise<void> {}
  async close(): Promise<void> {}
}

const ROLES = new Set(['agent', 'customer', 'system']);

export function readTranscriptLine(value: unknown): TranscriptLine | null {
  if (typeof value !== 'object' || value === null) return null;
  const l = value as Record<string, unknown>;
  const ok =
    ['messageId', 'sessionId', 'from', 'displayName', 'text'].every((key) => typeof l[key] === 'string') &&
    typeof l.at === 'number' &&
    ROLES.has(l.role as string) &&
    (l.clientMessageId === undefined || typeof l.clientMessageId === 'string');
  return ok ? (value as TranscriptLine) : null;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** DATA_DIR/transcripts/<sessionId>.jsonl, append-only and fsync'd per line. */
export class FileTranscriptStore implements TranscriptStore {
  readonly dir: string;
  #open = new Map<string, Promise<{ file: JsonLinesFile<TranscriptLine>; records: TranscriptLine[] }>>();

  private constructor(
    dataDir: string,
    readonly log: SupportLog,
  ) {
    this.dir = join(dataDir, 'transcripts');
  }

  static async open(dataDir: string, log: SupportLog): Promise<FileTranscriptStore> {
    const store = new FileTranscriptStore(dataDir, log);
    await ensureDataDir(store.dir);
    return store;
  }

  #path(sessionId: string): string {
    return join(this.dir, `${sessionId}.jsonl`);
  }

  /** Opening replays and repairs the file once; the handle then stays open until release. */
  #file(sessionId: string): Promise<{ file: JsonLinesFile<TranscriptLine>; records: TranscriptLine[] }> {
    // The id becomes a file name: only our own id alphabet gets near the disk.
    if (!ID_PATTERN.test(sessionId)) return Promise.reject(new Error('invalid session id for a transcript'));
    let opened = this.#open.get(sessionId);
    if (!opened) {
      opened = JsonLinesFile.open(this.#path(sessionId), this.log, readTranscriptLine);
      this.#open.set(sessionId, opened);
      const attempt = opened;
      attempt.catch(() => {
        if (this.#open.get(sessionId) === attempt) this.#open.delete(sessionId);
      });
    }
    return opened;
  }

  async load(sessionId: string): Promise<TranscriptLine[]> {
    // Reading must not create files: a session nobody wrote to leaves nothing on disk.
    if (!this.#open.has(sessionId) && ID_PATTERN.test(sessionId) && !(await exists(this.#path(sessionId)))) return [];
    return [...(await this.#file(sessionId)).records];
  }

  async append(sessionId: string, line: TranscriptLine): Promise<void> {
    const opened = await this.#file(sessionId);
    await opened.file.append(line);
    opened.records.push(line);
  }

  async release(sessionId: string): Promise<void> {
    const opened = this.#open.get(sessionId);
    this.#open.delete(sessionId);
    if (opened) await (await opened).file.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.release(id).catch(() => undefined)));
  }
}
