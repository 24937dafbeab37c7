import type { NetworkTestOffer, ProbeEcho } from '@tandem/protocol';
import { RoomError } from './RoomTypes.js';
import { errorFrom } from './SignalingChannel.js';
import type { FetchFunction } from './TandemApi.js';

/** The /api/v1/network-test routes, authorised by the customer's call token. */
export class NetworkTestApi {
  readonly #base: string;
  readonly #fetch: FetchFunction;

  constructor(
    serverUrl: string,
    private readonly token: string,
    fetchImpl?: FetchFunction,
  ) {
    this.#base = `${serverUrl.replace(/\/+$/, '')}/api/v1/network-test`;
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  open(): Promise<NetworkTestOffer> {
    return this.#call('POST', '', {});
  }

  async connect(probeId: string, transportId: string, dtlsParameters: unknown): Promise<void> {
    await this.#call('POST', `/${encodeURIComponent(probeId)}/connect`, { transportId, dtlsParameters });
  }

  echo(probeId: string, transportId: string, sctpStreamParameters: unknown, label: string): Promise<ProbeEcho> {
    return this.#call('POST', `/${encodeURIComponent(probeId)}/echo`, { transportId, sctpStreamParameters: plain(sctpStreamParameters), label });
  }

  async close(probeId: string): Promise<void> {
    await this.#call('DELETE', `/${encodeURIComponent(probeId)}`);
  }

  async #call<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new RoomError('CONNECTION_LOST', `network test ${method} failed: ${String(error)}`);
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = typeof payload === 'object' && payload !== null ? (payload as { error?: unknown }).error : undefined;
      throw error !== undefined ? errorFrom(error) : new RoomError('INTERNAL', `network test answered HTTP ${response.status}`);
    }
    if (typeof payload !== 'object' || payload === null) throw new RoomError('BAD_MESSAGE', 'network test answered with no JSON object');
    return payload as T;
  }
}

/** mediasoup-client leaves unset fields as `undefined`; the server's schema takes only what is set. */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
