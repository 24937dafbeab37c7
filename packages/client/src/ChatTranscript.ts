import type { ChatMessage } from '@tandem/protocol';
import { isChatMessage } from './wireShapes.js';

/** The call's chat, oldest first, each line once however often it arrives (history, echo, rejoin). */
export class ChatTranscript {
  readonly lines: ChatMessage[] = [];
  readonly #ids = new Set<string>();

  /** Adds the lines not seen yet, in server time order; returns those. */
  merge(messages: readonly ChatMessage[]): ChatMessage[] {
    const fresh = messages.filter((message) => isChatMessage(message) && !this.#ids.has(message.messageId));
    if (fresh.length === 0) return fresh;
    for (const message of fresh) this.#ids.add(message.messageId);
    this.lines.push(...fresh);
    this.lines.sort((a, b) => a.at - b.at);
    return fresh;
  }
}
