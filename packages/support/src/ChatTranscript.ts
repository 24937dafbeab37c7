import { randomBytes } from 'node:crypto';
import { MAX_CHAT_CHARS, TandemError, type ChatMessage } from '@tandem/protocol';
import { CachedTranscripts, type TranscriptRepository } from './TranscriptRepository.js';
import { ID_PATTERN, systemClock, type ChatInput, type Clock } from './SupportTypes.js';
import type { TranscriptStore } from './TranscriptStore.js';

const MAX_NAME_CHARS = 80;
/** C0 and C1 controls and DEL, except tab and newline. */
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const SYSTEM_NAME = 'Tandem';

function badParams(message: string): TandemError {
  return new TandemError('BAD_PARAMS', message);
}

/** Trimmed, CRLF folded to LF (a paste from Windows is not an attack), then checked. */
export function cleanChatText(text: unknown): string {
  if (typeof text !== 'string') throw badParams('text must be a string');
  const clean = text.replace(/\r\n/g, '\n').trim();
  if (clean.length === 0) throw badParams('text is empty');
  if (clean.length > MAX_CHAT_CHARS) throw badParams(`text is longer than ${MAX_CHAT_CHARS} characters`);
  if (FORBIDDEN_CONTROL.test(clean)) throw badParams('text contains control characters');
  return clean;
}

/** A TranscriptStore has `load`; anything else is already a repository. */
function isTranscriptStore(storage: TranscriptStore | TranscriptRepository): storage is TranscriptStore {
  return typeof (storage as Partial<TranscriptStore>).load === 'function';
}

/**
 * A session's chat: every line is durable before append resolves, so it is never
 * acknowledged or fanned out and then lost. A retried send (same sender, same
 * clientMessageId) returns the original and stores nothing, whichever process gets it.
 */
export class ChatTranscript {
  readonly clock: Clock;
  readonly repository: TranscriptRepository;

  constructor(storage: TranscriptStore | TranscriptRepository, options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    this.repository = isTranscriptStore(storage) ? new CachedTranscripts(storage) : storage;
  }

  async append(sessionId: string, input: ChatInput): Promise<ChatMessage> {
    checkSessionId(sessionId);
    const given: Partial<ChatInput> = input ?? {};
    const { from, role, displayName, clientMessageId } = given;
    if (typeof from !== 'string' || from.length < 1 || from.length > 128 || FORBIDDEN_CONTROL.test(from) || from === 'system') {
      throw badParams('from must be a peer id');
    }
    if (role !== 'agent' && role !== 'customer') throw badParams('role must be agent or customer');
    if (typeof clientMessageId !== 'string' || !ID_PATTERN.test(clientMessageId)) {
      throw badParams('clientMessageId must be 1 to 64 of A-Z a-z 0-9 _ -');
    }
    const name = checkName(displayName);
    const text = cleanChatText(given.text);
    return this.repository.append({ ...this.#message(sessionId, from, role, name, text), clientMessageId });
  }

  /** A line Tandem writes itself (e.g. "Sam joined"). */
  async system(sessionId: string, text: string): Promise<ChatMessage> {
    checkSessionId(sessionId);
    const clean = cleanChatText(text);
    return this.repository.append(this.#message(sessionId, 'system', 'system', SYSTEM_NAME, clean));
  }

  /** Oldest first. */
  async list(sessionId: string): Promise<ChatMessage[]> {
    checkSessionId(sessionId);
    return this.repository.list(sessionId);
  }

  /** Drops a finished session from this process's memory; its transcript stays stored and loads again on demand. */
  async forget(sessionId: string): Promise<void> {
    checkSessionId(sessionId);
    await this.repository.forget(sessionId);
  }

  close(): Promise<void> {
    return this.repository.close();
  }

  #message(sessionId: string, from: string, role: ChatMessage['role'], displayName: string, text: string): ChatMessage {
    const messageId = `msg_${randomBytes(12).toString('base64url')}`;
    return { messageId, sessionId, from, role, displayName, text, at: this.clock() };
  }
}

function checkSessionId(sessionId: unknown): asserts sessionId is string {
  if (typeof sessionId !== 'string' || !ID_PATTERN.test(sessionId)) throw badParams('sessionId is not valid');
}

function checkName(displayName: unknown): string {
  const name = typeof displayName === 'string' ? displayName.trim() : '';
  if (name.length < 1 || name.length > MAX_NAME_CHARS || FORBIDDEN_CONTROL.test(name)) {
    throw badParams(`displayName must be 1 to ${MAX_NAME_CHARS} printable characters`);
  }
  return name;
}
