import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SupportLog } from './SupportTypes.js';

const NEWLINE = 0x0a;

/** Makes a directory entry change (create, rename) survive a power cut. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Replaces `path` whole or not at all: a crash leaves the old content or the new, never half. */
export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.chmod(mode); // the umask may have widened or narrowed it
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}

/**
 * An append-only file of JSON lines. Each append is fsync'd before it resolves and appends
 * are serialized, so lines never interleave. A torn last line (crash mid-write) is dropped
 * at open with a warning, and cut off so the next append starts on a clean line.
 */
export class JsonLinesFile<T> {
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #handle: FileHandle;

  private constructor(
    readonly path: string,
    handle: FileHandle,
  ) {
    this.#handle = handle;
  }

  static async open<T>(
    path: string,
    log: SupportLog,
    parse: (value: unknown) => T | null,
  ): Promise<{ file: JsonLinesFile<T>; records: T[] }> {
    const handle = await open(path, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      const content = size === 0 ? Buffer.alloc(0) : await handle.readFile();
      if (size === 0) await syncDirectory(dirname(path));
      const records = await JsonLinesFile.#replay(path, handle, content, log, parse);
      return { file: new JsonLinesFile<T>(path, handle), records };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  static async #replay<T>(
    path: string,
    handle: FileHandle,
    content: Buffer,
    log: SupportLog,
    parse: (value: unknown) => T | null,
  ): Promise<T[]> {
    const records: T[] = [];
    const lastNewline = content.lastIndexOf(NEWLINE);
    const whole = content.subarray(0, lastNewline + 1).toString('utf8').split('\n');
    whole.pop(); // the empty string after the final newline
    whole.forEach((line, index) => {
      const record = parseLine(line, parse);
      if (record !== null) records.push(record);
      else if (line.trim() !== '') log.warn({ path, line: index + 1 }, 'skipping an unreadable line in a data file');
    });

    const torn = content.subarray(lastNewline + 1);
    if (torn.length > 0) {
      const record = parseLine(torn.toString('utf8'), parse);
      if (record !== null) {
        // Only the newline was lost: the record is whole, so keep it and finish its line.
        records.push(record);
        await handle.appendFile('\n');
      } else {
        log.warn({ path, bytes: torn.length }, 'dropping a torn last line (a write was cut short)');
        await handle.truncate(lastNewline + 1);
      }
      await handle.sync();
    }
    return records;
  }

  /** Resolves once the line is on disk. */
  append(record: T): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const write = this.#tail.then(async () => {
      if (this.#closed) throw new Error(`${this.path} is closed`);
      await this.#handle.appendFile(line, 'utf8');
      await this.#handle.datasync();
    });
    this.#tail = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#tail;
    this.#closed = true;
    await this.#handle.close();
  }
}

function parseLine<T>(line: string, parse: (value: unknown) => T | null): T | null {
  try {
    return parse(JSON.parse(line));
  } catch {
    return null;
  }
}
