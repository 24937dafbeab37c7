import { isErrorCode } from '@tandem/protocol';
import type { ShownError } from '../i18n/catalogue.js';
import type { OpsNode, OpsNodesReply, OpsStateReply } from './OpsTypes.js';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** A failed ops call; `reason` is what the page shows (reasonOf reads it). */
export class OpsApiError extends Error {
  override readonly name = 'OpsApiError';
  constructor(
    readonly reason: ShownError,
    message: string,
  ) {
    super(message);
  }
}

/** The operator API (/api/ops), authenticated by the ops token. */
export class OpsApi {
  readonly #origin: string;
  readonly #fetch: FetchFunction;

  constructor(origin: string, fetchImpl?: FetchFunction) {
    this.#origin = origin.replace(/\/+$/, '');
    // Bound, because a detached window.fetch throws "Illegal invocation".
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  async listNodes(token: string): Promise<OpsNode[]> {
    const reply = await this.#call<OpsNodesReply>('GET', '/nodes', token);
    if (!Array.isArray(reply.nodes)) throw new OpsApiError('BAD_MESSAGE', 'GET /nodes answered without nodes');
    return reply.nodes;
  }

  drain(token: string, nodeId: string): Promise<OpsStateReply> {
    return this.#call('POST', `/nodes/${encodeURIComponent(nodeId)}/drain`, token);
  }

  resume(token: string, nodeId: string): Promise<OpsStateReply> {
    return this.#call('POST', `/nodes/${encodeURIComponent(nodeId)}/resume`, token);
  }

  async #call<T>(method: 'GET' | 'POST', path: string, token: string): Promise<T> {
    let response: Response;
    try {
      // The token travels only in a header: never in a URL, where logs and history keep it.
      response = await this.#fetch(`${this.#origin}/api/ops${path}`, {
        method,
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        cache: 'no-store',
      });
    } catch (error) {
      throw new OpsApiError('CONNECTION_LOST', `${method} ${path} failed: ${String(error)}`);
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (!response.ok) {
      const code = (payload as { error?: { code?: unknown } } | undefined)?.error?.code;
      throw new OpsApiError(isErrorCode(code) ? code : 'INTERNAL', `${method} ${path} answered HTTP ${response.status}`);
    }
    if (typeof payload !== 'object' || payload === null) {
      throw new OpsApiError('BAD_MESSAGE', `${method} ${path} answered with no JSON object`);
    }
    return payload as T;
  }
}
