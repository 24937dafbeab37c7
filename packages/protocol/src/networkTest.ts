import { Type, type Static } from '@sinclair/typebox';
import { DtlsParameters, Id, type TransportOptions } from './media.js';
import type { IceServer } from './signaling.js';

/**
 * The pre-call network test: before joining, the customer page opens throwaway WebRTC
 * transports to the SFU node its call will use and echoes data-channel messages through
 * it, to tell the customer in plain words whether video will work from where they are.
 *
 * POST   /api/v1/network-test                  {} → NetworkTestOffer        (Bearer call token, limited per token)
 * POST   /api/v1/network-test/:probeId/connect NetworkTestConnectBody → {}  (Bearer, same token)
 * POST   /api/v1/network-test/:probeId/echo    NetworkTestEchoBody → ProbeEcho
 * DELETE /api/v1/network-test/:probeId         → {}
 * A test is torn down on DELETE or at `expiresAt` (about 15 s), whichever comes first.
 */

/** How a browser reaches the SFU: straight over UDP, ICE over TCP, or through a TURN relay. */
export type NetworkLeg = 'udp' | 'tcp' | 'relay';
export const NETWORK_LEGS: readonly NetworkLeg[] = ['udp', 'tcp', 'relay'];

/** A WebRTC transport with SCTP (data channels) enabled. */
export interface ProbeTransportOptions extends TransportOptions {
  sctpParameters: unknown;
}

/** One pair of transports, offering candidates of one protocol only (relay: every candidate, reached through TURN). */
export interface ProbeLeg {
  leg: NetworkLeg;
  sendTransport: ProbeTransportOptions;
  recvTransport: ProbeTransportOptions;
}

export interface NetworkTestOffer {
  probeId: string;
  /** Milliseconds since the epoch; the server tears the test down then. */
  expiresAt: number;
  /** The same deadline as a duration from now, for clients whose clock is off. */
  ttlMs: number;
  legs: ProbeLeg[];
  /** TURN servers for the relay leg; empty (and no relay leg) when TURN is not configured. */
  iceServers: IceServer[];
}

export const ProbeIdParams = Type.Object(
  { probeId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
export type ProbeIdParams = Static<typeof ProbeIdParams>;

export const NetworkTestConnectBody = Type.Object(
  { transportId: Id, dtlsParameters: DtlsParameters },
  { additionalProperties: false },
);
export type NetworkTestConnectBody = Static<typeof NetworkTestConnectBody>;

export const SctpStreamParameters = Type.Object(
  {
    streamId: Type.Integer({ minimum: 0, maximum: 15 }),
    ordered: Type.Optional(Type.Boolean()),
    maxPacketLifeTime: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    maxRetransmits: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  },
  { additionalProperties: false },
);
export type SctpStreamParameters = Static<typeof SctpStreamParameters>;

/** The browser's data producer on a leg's send transport; the reply is the echo to consume on its recv transport. */
export const NetworkTestEchoBody = Type.Object(
  {
    transportId: Id,
    sctpStreamParameters: SctpStreamParameters,
    label: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type NetworkTestEchoBody = Static<typeof NetworkTestEchoBody>;

/** What the browser needs for `recvTransport.consumeData()`: the SFU sends every message straight back here. */
export interface ProbeEcho {
  dataProducerId: string;
  echo: { id: string; dataProducerId: string; sctpStreamParameters: unknown; label: string; protocol: string };
}
