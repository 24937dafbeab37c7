import { Type, type Static } from '@sinclair/typebox';
import type { ErrorBody } from './errors.js';

/** Largest WebSocket frame either side accepts. Chat lines and SDP-sized params fit easily. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** What every client→server frame must look like before its method is even looked at. */
export const RequestFrame = Type.Object(
  {
    id: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    method: Type.String({ minLength: 1, maxLength: 64 }),
    params: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type RequestFrame = Static<typeof RequestFrame>;

export interface OkResponse<T = unknown> {
  id: number;
  ok: true;
  data: T;
}
export interface ErrorResponse {
  /** null when the frame was too broken to carry an id. */
  id: number | null;
  ok: false;
  error: ErrorBody;
}
export type ResponseFrame<T = unknown> = OkResponse<T> | ErrorResponse;

/** Server→client push. `seq` rises by one per notification on a peer, for resume. */
export interface NotificationFrame<M extends string = string, P = unknown> {
  method: M;
  params: P;
  seq: number;
}

export type ServerFrame = ResponseFrame | NotificationFrame;

export function isResponseFrame(frame: ServerFrame): frame is ResponseFrame {
  return 'ok' in frame;
}
