import type {
  CallTokenReply,
  CreatedSession,
  LoginReply,
  RtpCapabilities,
  SessionSummary,
} from '@tandem/protocol';
import { RoomError } from './RoomTypes.js';
import { errorFrom } from './SignalingChannel.js';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** The Tandem HTTP API (/api/v1). Every failure is a RoomError carrying the server's code. */
export class TandemApi {
  readonly serverUrl: string;
  readonly #fetch: FetchFunction;

  constructor(serverUrl: string, fetchImpl?: FetchFunction) {
    this.serverUrl = serverUrl.replace(/\/+$/, '');
    // Bound, because a detached window.fetch throws "Illegal invocation".
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Agent sign-in; the reply's token is a console token (create/list sessions), not a call token. */
  login(email: string, password: string): Promise<LoginReply> {
    return this.#call('POST', '/agent/login', { body: { email, password } });
  }

  createSession(consoleToken: string): Promise<CreatedSession> {
    return this.#call('POST', '/sessions', { body: {}, token: consoleToken });
  }

  async listSessions(consoleToken: string): Promise<SessionSummary[]> {
    const reply = await this.#call<{ sessions: SessionSummary[] }>('GET', '/sessions', { token: consoleToken });
    return reply.sessions;
  }

  /** The agent's call token for one of their sessions (e.g. to rejoin after a reload). */
  sessionToken(consoleToken: string, sessionId: string): Promise<CallTokenReply> {
    return this.#call('POST', `/sessions/${encodeURIComponent(sessionId)}/token`, { body: {}, token: consoleToken });
  }

  /** Customer side: trade the code from the link for a call token. */
  redeemJoinCode(code: string, displayName?: string): Promise<CallTokenReply> {
    const body = displayName === undefined ? {} : { displayName };
    return this.#call('POST', `/join/${encodeURIComponent(code)}`, { body });
  }

  async routerCapabilities(): Promise<RtpCapabilities> {
    const reply = await this.#call<{ routerRtpCapabilities: RtpCapabilities }>('GET', '/router-capabilities', {});
    return reply.routerRtpCapabilities;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.#fetch(`${this.serverUrl}/api/v1${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new RoomError('CONNECTION_LOST', `${method} ${path} failed: ${String(error)}`);
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (!response.ok) {
      const body = typeof payload === 'object' && payload !== null ? (payload as { error?: unknown }).error : undefined;
      if (body !== undefined) throw errorFrom(body);
      throw new RoomError('INTERNAL', `${method} ${path} answered HTTP ${response.status}`);
    }
    if (typeof payload !== 'object' || payload === null) {
      throw new RoomError('BAD_MESSAGE', `${method} ${path} answered with no JSON object`);
    }
    return payload as T;
  }
}
