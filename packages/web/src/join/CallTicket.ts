import type { CallTokenReply } from '@tandem/protocol';

/** What the customer page keeps in sessionStorage per join code, so a reload skips redeeming. */
export interface CallTicket {
  token: string;
  sessionId: string;
  expiresAt: number;
  /** Set once the call was joined: a reload then rejoins directly, without the preview. */
  joined: boolean;
  displayName?: string;
  muted?: { mic: boolean; camera: boolean };
}

export interface TicketStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

const JOIN_CODE = /^[A-Za-z0-9]{4,32}$/;

/** The join code from a customer link path (/j/CODE), or null if the path holds none. */
export function codeFromPath(pathname: string): string | null {
  const match = /^\/j\/([^/?#]+)\/?$/.exec(pathname);
  // Codes are plain alphanumerics, so the raw segment is checked as is (nothing to decode).
  const code = match?.[1] ?? null;
  return code !== null && JOIN_CODE.test(code) ? code : null;
}

export class CallTicketStore {
  constructor(
    private readonly storage: TicketStorage,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored ticket if it is well-formed and unexpired; anything else is forgotten. */
  load(code: string): CallTicket | null {
    const raw = this.storage.get(keyOf(code));
    if (raw === null) return null;
    let ticket: unknown;
    try {
      ticket = JSON.parse(raw);
    } catch {
      ticket = null;
    }
    if (!isTicket(ticket) || ticket.expiresAt <= this.now()) {
      this.forget(code);
      return null;
    }
    return ticket;
  }

  fromReply(code: string, reply: CallTokenReply): CallTicket {
    const ticket: CallTicket = { token: reply.token, sessionId: reply.sessionId, expiresAt: reply.expiresAt, joined: false };
    this.save(code, ticket);
    return ticket;
  }

  save(code: string, ticket: CallTicket): void {
    this.storage.set(keyOf(code), JSON.stringify(ticket));
  }

  update(code: string, change: Partial<CallTicket>): void {
    const ticket = this.load(code);
    if (ticket) this.save(code, { ...ticket, ...change });
  }

  forget(code: string): void {
    this.storage.remove(keyOf(code));
  }
}

function keyOf(code: string): string {
  return `tandem.call.${code}`;
}

function isTicket(value: unknown): value is CallTicket {
  if (typeof value !== 'object' || value === null) return false;
  const ticket = value as Record<string, unknown>;
  return (
    typeof ticket.token === 'string' &&
    ticket.token.length > 0 &&
    typeof ticket.sessionId === 'string' &&
    typeof ticket.expiresAt === 'number' &&
    typeof ticket.joined === 'boolean'
  );
}
