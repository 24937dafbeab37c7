import type { ChatMessage } from '@tandem/protocol';
import { KeyedQueue } from './KeyedQueue.js';
import type { TranscriptLine, TranscriptStore } from './TranscriptStore.js';

/**
 * Where chat transcripts live. `append` is idempotent per sender + clientMessageId, and
 * atomically so: two processes storing the same retry race to one line.
 */
export interface TranscriptRepository {
  /** Stores `line` unless its sender already stored that clientMessageId; returns what is stored. Durable when it resolves. */
  append(line: TranscriptLine): Promise<ChatMessage>;
  /** Oldest first. */
  list(sessionId: string): Promise<ChatMessage[]>;
  /** Drops whatever the process holds for a session; its lines stay stored. */
  forget(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

export function strip(line: TranscriptLine): ChatMessage {
  const { messageId, sessionId, from, role, displayName, text, at } = line;
  return { messageId, sessionId, from, role, displayName, text, at };
}

/** The key a retried send is recognized by; system lines have none. */
export function retryKey(line: TranscriptLine): string | undefined {
  return line.clientMessageId === undefined ? undefined : `${line.from}\n${line.clientMessageId}`;
}

interface SessionChat {
  messages: ChatMessage[];
  byRetryKey: Map<string, ChatMessage>;
}

/**
 * Single-process transcripts over a TranscriptStore (files or memory): a session's lines
 * are loaded once and kept, and one queue per session makes check-then-append one step.
 */
export class CachedTranscripts implements TranscriptRepository {
  #chats = new Map<string, Promise<SessionChat>>();
  #queue = new KeyedQueue();

  constructor(readonly store: TranscriptStore) {}

  append(line: TranscriptLine): Promise<ChatMessage> {
    return this.#queue.run(line.sessionId, async () => {
      const chat = await this.#chat(line.sessionId);
      const key = retryKey(line);
      const original = key === undefined ? undefined : chat.byRetryKey.get(key);
      if (original) return { ...original };
      await this.store.append(line.sessionId, line); // durable first; only then part of the transcript
      const message = strip(line);
      chat.messages.push(message);
      if (key !== undefined) chat.byRetryKey.set(key, message);
      return { ...message };
    });
  }

  async list(sessionId: string): Promise<ChatMessage[]> {
    const chat = await this.#queue.run(sessionId, () => this.#chat(sessionId));
    return chat.messages.map((m) => ({ ...m }));
  }

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

  #chat(sessionId: string): Promise<SessionChat> {
    let chat = this.#chats.get(sessionId);
    if (!chat) {
      chat = this.store.load(sessionId).then((lines) => {
        const loaded: SessionChat = { messages: [], byRetryKey: new Map() };
        for (const line of lines) {
          const key = retryKey(line);
          if (key !== undefined && loaded.byRetryKey.has(key)) continue; // never show a duplicate twice
          const message = strip(line);
          loaded.messages.push(message);
          if (key !== undefined) loaded.byRetryKey.set(key, message);
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
