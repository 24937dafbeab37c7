import type { LoginReply } from '@tandem/protocol';
import type { TicketStorage } from '../join/CallTicket.js';

const CONSOLE_KEY = 'tandem.console';
const SESSION_KEY = 'tandem.agent.session';

/** The agent's sign-in and the session last used, kept per tab in sessionStorage. */
export class ConsoleAuth {
  constructor(
    private readonly storage: TicketStorage,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored sign-in, if well-formed and unexpired. */
  load(): LoginReply | null {
    let value: unknown;
    try {
      value = JSON.parse(this.storage.get(CONSOLE_KEY) ?? 'null');
    } catch {
      value = null;
    }
    const reply = value as Partial<LoginReply> | null;
    const valid =
      typeof reply?.token === 'string' &&
      reply.token.length > 0 &&
      typeof reply.expiresAt === 'number' &&
      reply.expiresAt > this.now() &&
      typeof reply.agent?.displayName === 'string';
    if (!valid) {
      this.signOut();
      return null;
    }
    return reply as LoginReply;
  }

  save(reply: LoginReply): void {
    this.storage.set(CONSOLE_KEY, JSON.stringify(reply));
  }

  signOut(): void {
    this.storage.remove(CONSOLE_KEY);
    this.storage.remove(SESSION_KEY);
  }

  get lastSessionId(): string | null {
    return this.storage.get(SESSION_KEY);
  }

  set lastSessionId(sessionId: string | null) {
    if (sessionId === null) this.storage.remove(SESSION_KEY);
    else this.storage.set(SESSION_KEY, sessionId);
  }
}
