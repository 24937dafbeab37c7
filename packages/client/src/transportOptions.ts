import type { IceServer } from '@tandem/protocol';
import type { types } from 'mediasoup-client';

/** A server transport as it crosses the wire (a call's or a network probe's). */
export interface WireTransport {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown;
  dtlsParameters: unknown;
  sctpParameters?: unknown;
}

/** The wire's transport description as mediasoup-client takes it. */
export function transportOptions(wire: WireTransport): types.TransportOptions {
  return {
    id: wire.id,
    iceParameters: wire.iceParameters as types.IceParameters,
    iceCandidates: wire.iceCandidates as types.IceCandidate[],
    dtlsParameters: wire.dtlsParameters as types.DtlsParameters,
    ...(wire.sctpParameters ? { sctpParameters: wire.sctpParameters as types.SctpParameters } : {}),
  };
}

/** TURN servers from the server (well-formed entries only), and relay-only when asked. */
export function iceOptions(
  servers: readonly IceServer[] | undefined,
  policy: 'all' | 'relay' | undefined,
): Pick<types.TransportOptions, 'iceServers' | 'iceTransportPolicy'> {
  const iceServers = (Array.isArray(servers) ? servers : [])
    .filter((s) => Array.isArray(s?.urls) && (s.urls as unknown[]).every((u) => typeof u === 'string') && typeof s.username === 'string' && typeof s.credential === 'string')
    .map((s) => ({ urls: [...s.urls], username: s.username, credential: s.credential }));
  return { iceServers, ...(policy === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}) };
}
