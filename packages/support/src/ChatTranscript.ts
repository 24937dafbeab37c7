import { randomBytes } from 'node:crypto';
import { MAX_CHAT_CHARS, TandemError, type ChatMessage } from '@tandem/protocol';
import { KeyedQueue } from './KeyedQueue.js';
import { ID_PATTERN, systemClock, type ChatInput, type Clock } from './SupportTypes.js';
import type { TranscriptLine, TranscriptStore } from './TranscriptStore.js';

const MAX_NAME_CHARS = 80;
/** C0 and C1 controls and DEL, except tab and newline. */
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const SYSTEM_NAME = 'Tandem';

interface SessionChat {
  messages: ChatMessage[];
  /** `${from}\n${clientMessageId}` → the message first stored for it. */
  byClientId: Map<string, ChatMessage>;
}

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

function strip(line: TranscriptLine): ChatMessage {
  const { messageId, sessionId, from, role, displayName, text, at } = line;
  return { messageId, sessionId, from, role, displayName, text, at };
}

/**
 * A session's chat: every line is on disk before append resolves, so it is never
 * acknowledged or fanned out and then lost. A retried send (same sender, same
 * clientMessageId) returns the original and stores nothing.
 */
export class ChatTranscript {
  readonly clock: Clock;
  #chats = new Map<string, Promise<SessionChat>>();
  #queue = new KeyedQueue();

  constructor(
    readonly store: TranscriptStore,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
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
    return this.#queue.run(sessionId, async () => {
      const chat = await this.#chat(sessionId);
      const original = chat.byClientId.get(`${from}\n${clientMessageId}`);
      if (original) return { ...original };
      return this.#store(chat, { ...this.#message(sessionId, from, role, name, text), clientMessageId });
    });
  }

  /** A line Tandem writes itself (e.g. "Sam joined"). */
  async system(sessionId: string, text: string): Promise<ChatMessage> {
    checkSessionId(sessionId);
    const clean = cleanChatText(text);
    return this.#queue.run(sessionId, async () => {
      const chat = await this.#chat(sessionId);
      return this.#store(chat, this.#message(sessionId, 'system', 'system', SYSTEM_NAME, clean));
    });
  }

  /** Oldest first; read from the store the first time a session is touched (e.g. after a restart). */
  async list(sessionId: string): Promise<ChatMessage[]> {
    checkSessionId(sessionId);
    const chat = await this.#queue.run(sessionId, () => this.#chat(sessionId));
    return chat.messages.map((m) => ({ ...m }));
  }

  /** Drops a finished session from memory; its transcript stays stored and loads again on demand. */
  forget(sessionId: string): Promise<void> {
    return this.#queue.run(sessionId, async () => {
      this.#chats.delete(sessionId);
      await this.store.release(sessionId);
    });
  }

  async close(): Promise<void> {
    await this.#queue.idle();
    await this.store.close();
  }

  #message(sessionId: string, from: string, role: ChatMessage['role'], displayName: string, text: string): ChatMessage {
    const messageId = `msg_${randomBytes(12).toString('base64url')}`;
    return { messageId, sessionId, from, role, displayName, text, at: this.clock() };
  }

  /** Durable first; only then part of the transcript. */
  async #store(chat: SessionChat, line: TranscriptLine): Promise<ChatMessage> {
    await this.store.append(line.sessionId, line);
    const message = strip(line);
    chat.messages.push(message);
    if (line.clientMessageId !== undefined) chat.byClientId.set(`${line.from}\n${line.clientMessageId}`, message);
    return { ...message };
  }

  #chat(sessionId: string): Promise<SessionChat> {
    let chat = this.#chats.get(sessionId);
    if (!chat) {
      chat = this.store.load(sessionId).then((lines) => {
        const loaded: SessionChat = { messages: [], byClientId: new Map() };
        for (const line of lines) {
          const message = strip(line);
          const key = line.clientMessageId === undefined ? undefined : `${line.from}\n${line.clientMessageId}`;
          if (key !== undefined && loaded.byClientId.has(key)) continue; // never show a duplicate twice
          loaded.messages.push(message);
          if (key !== undefined) loaded.byClientId.set(key, message);
        }
        return loaded;
      });
      this.#chats.set(sessionId, chat);
      const attempt = chat;
      attempt.catch(() => {
        if (this.#chats.get(sessionId) === attempt) this.#chats.delete(sessionId);
      });
    }
    return chat;
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
