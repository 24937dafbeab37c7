import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, TandemError, type ErrorBody, type ErrorCode } from './errors.js';
import type { SfuEvents, SfuMethod } from './sfu-control.js';

/**
 * The SfuControl requests and events as frames on the signaling ↔ SFU control
 * WebSocket. One frame per WebSocket message, JSON text.
 */

/** Largest control frame either side accepts; a simulcast producer's rtpParameters are a few KiB. */
export const MAX_CONTROL_FRAME_BYTES = 64 * 1024;

// Records keyed by the union force this list to follow SfuRequests / SfuEvents: a
// missing or extra name is a compile error here, not a method silently refused.
const methodNames: Record<SfuMethod, true> = {
  routerCapabilities: true,
  openRoom: true,
  closeRoom: true,
  createTransport: true,
  connectTransport: true,
  restartIce: true,
  produce: true,
  closeProducer: true,
  pauseProducer: true,
  resumeProducer: true,
  consume: true,
  resumeConsumer: true,
  closePeer: true,
  nodeStats: true,
  openPipe: true,
  connectPipe: true,
  pipeOut: true,
  pipeIn: true,
  openProbe: true,
  connectProbe: true,
  echoProbe: true,
  closeProbe: true,
};
const eventNames: Record<keyof SfuEvents, true> = {
  consumerClosed: true,
  producerClosed: true,
  transportFailed: true,
  nodeDown: true,
};

export const SFU_METHODS = Object.keys(methodNames) as SfuMethod[];
export const SFU_EVENTS = Object.keys(eventNames) as (keyof SfuEvents)[];

export function isSfuMethod(value: unknown): value is SfuMethod {
  return typeof value === 'string' && Object.hasOwn(methodNames, value);
}
export function isSfuEvent(value: unknown): value is keyof SfuEvents {
  return typeof value === 'string' && Object.hasOwn(eventNames, value);
}

const literals = <T extends string>(names: readonly T[]) => Type.Union(names.map((name) => Type.Literal(name)));
const FrameId = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** signaling → SFU. `params` is checked by the node itself, as for in-process calls. */
export const ControlRequest = Type.Object(
  { id: FrameId, method: literals(SFU_METHODS), params: Type.Unknown() },
  { additionalProperties: false },
);
export type ControlRequest = { id: number; method: SfuMethod; params: unknown };

const ErrorCodeSchema = literals(Object.keys(ErrorCodes) as ErrorCode[]);

/** SFU → signaling, one per request. `id` is null only when the request was too broken to carry one. */
export const ControlResponse = Type.Union([
  Type.Object({ id: FrameId, ok: Type.Literal(true), data: Type.Unknown() }, { additionalProperties: false }),
  Type.Object(
    {
      id: Type.Union([FrameId, Type.Null()]),
      ok: Type.Literal(false),
      error: Type.Object({ code: ErrorCodeSchema, message: Type.String({ maxLength: 4096 }) }),
    },
    { additionalProperties: false },
  ),
]);
export type ControlResponse = { id: number; ok: true; data: unknown } | { id: number | null; ok: false; error: ErrorBody };

const Str = Type.String({ maxLength: 256 });
const eventArgs = {
  consumerClosed: Type.Tuple([Type.Object({ roomId: Str, peerId: Str, consumerId: Str, producerId: Str })]),
  producerClosed: Type.Tuple([Type.Object({ roomId: Str, peerId: Str, producerId: Str })]),
  transportFailed: Type.Tuple([Type.Object({ roomId: Str, peerId: Str, transportId: Str, state: Str })]),
  nodeDown: Type.Tuple([Type.Object({ nodeId: Str, reason: Type.String({ maxLength: 4096 }) })]),
} satisfies Record<keyof SfuEvents, TSchema>;
// Compile-time guard: each schema describes exactly its SfuEvents tuple.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const eventArgsMatch: { [E in keyof SfuEvents]: Same<Static<(typeof eventArgs)[E]>, SfuEvents[E]> } = {
  consumerClosed: true,
  producerClosed: true,
  transportFailed: true,
  nodeDown: true,
};
void eventArgsMatch;

/** SFU → signaling: one SfuEvents emission, pushed to every connected control client. */
export const ControlEvent = Type.Union(
  SFU_EVENTS.map((event) => Type.Object({ event: Type.Literal(event), args: eventArgs[event] }, { additionalProperties: false })),
);
export type ControlEvent = { [E in keyof SfuEvents]: { event: E; args: SfuEvents[E] } }[keyof SfuEvents];

export type ControlServerFrame = ControlResponse | ControlEvent;

function parseJson(raw: string): unknown {
  if (raw.length > MAX_CONTROL_FRAME_BYTES) {
    throw new TandemError('FRAME_TOO_LARGE', `control frame over ${MAX_CONTROL_FRAME_BYTES} bytes`);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new TandemError('BAD_JSON', 'control frame is not JSON');
  }
}

const RequestShape = Type.Object(
  { id: FrameId, method: Type.String({ maxLength: 64 }), params: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

/**
 * Reads one signaling → SFU frame. Throws TandemError (FRAME_TOO_LARGE, BAD_JSON,
 * BAD_MESSAGE, UNKNOWN_METHOD). The size check counts characters; a transport that
 * sees bytes should also check the byte length before decoding.
 */
export function decodeControlRequest(raw: string): ControlRequest {
  const frame = parseJson(raw);
  if (!Value.Check(RequestShape, frame)) {
    throw new TandemError('BAD_MESSAGE', 'control request must be {id, method, params}');
  }
  if (!isSfuMethod(frame.method)) {
    throw new TandemError('UNKNOWN_METHOD', `unknown SFU method ${frame.method}`);
  }
  return { id: frame.id, method: frame.method, params: frame.params ?? {} };
}

/** The request id in a frame that failed to decode, if it has a usable one. */
export function controlFrameId(raw: string): number | null {
  try {
    const id = (JSON.parse(raw) as { id?: unknown } | null)?.id;
    return Value.Check(FrameId, id) ? id : null;
  } catch {
    return null;
  }
}

/** Reads one SFU → signaling frame. Throws TandemError (FRAME_TOO_LARGE, BAD_JSON, BAD_MESSAGE). */
export function decodeControlServerFrame(raw: string): ControlServerFrame {
  const frame = parseJson(raw);
  if (Value.Check(ControlResponse, frame)) return frame as ControlResponse;
  if (Value.Check(ControlEvent, frame)) return frame as ControlEvent;
  throw new TandemError('BAD_MESSAGE', 'control frame is neither a response nor an event');
}
