import { Type, type Static } from '@sinclair/typebox';

/**
 * Media descriptions exchanged with mediasoup. Their inner structure belongs to
 * mediasoup (which validates it again); here we pin the shape that Tandem relies on
 * and bound the size, so garbage is refused before it reaches a worker.
 */
const Opaque = Type.Object({}, { additionalProperties: true });

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const RtpCapabilities = Type.Object(
  { codecs: Type.Optional(Type.Array(Opaque, { maxItems: 64 })), headerExtensions: Type.Optional(Type.Array(Opaque, { maxItems: 64 })) },
  { additionalProperties: true },
);
export type RtpCapabilities = Static<typeof RtpCapabilities>;

export const RtpParameters = Type.Object(
  {
    mid: Type.Optional(Type.String({ maxLength: 32 })),
    codecs: Type.Array(Opaque, { minItems: 1, maxItems: 16 }),
    headerExtensions: Type.Optional(Type.Array(Opaque, { maxItems: 32 })),
    encodings: Type.Optional(Type.Array(Opaque, { maxItems: 8 })),
    rtcp: Type.Optional(Opaque),
  },
  { additionalProperties: true },
);
export type RtpParameters = Static<typeof RtpParameters>;

export const DtlsParameters = Type.Object(
  {
    role: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('client'), Type.Literal('server')])),
    fingerprints: Type.Array(
      Type.Object({ algorithm: Type.String({ maxLength: 16 }), value: Type.String({ maxLength: 256 }) }),
      { minItems: 1, maxItems: 8 },
    ),
  },
  { additionalProperties: false },
);
export type DtlsParameters = Static<typeof DtlsParameters>;

export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
export type MediaKind = Static<typeof MediaKind>;

/** What a track shows. Consumer priority and layout follow from it. */
export const MediaSource = Type.Union([Type.Literal('mic'), Type.Literal('camera'), Type.Literal('screen')]);
export type MediaSource = Static<typeof MediaSource>;

export const TransportDirection = Type.Union([Type.Literal('send'), Type.Literal('recv')]);
export type TransportDirection = Static<typeof TransportDirection>;

/** Everything a browser needs to build a mediasoup-client transport. */
export interface TransportOptions {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
  sctpParameters?: unknown;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: unknown;
}
