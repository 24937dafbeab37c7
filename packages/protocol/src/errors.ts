/**
 * The error catalogue: every error that crosses a wire carries one of these codes.
 * Each code has the HTTP status it maps to when it leaves through the HTTP API.
 */
export const ErrorCodes = {
  BAD_JSON: 400,
  BAD_MESSAGE: 400,
  BAD_PARAMS: 400,
  UNKNOWN_METHOD: 400,
  FRAME_TOO_LARGE: 413,
  VERSION_MISMATCH: 426,
  UNAUTHORIZED: 401,
  BAD_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_JOINED: 409,
  ALREADY_JOINED: 409,
  BAD_STATE: 409,
  NOT_FOUND: 404,
  CODE_UNKNOWN: 404,
  CODE_EXPIRED: 410,
  SESSION_ENDED: 410,
  /** The peer to resume is gone (too long away, another server, missed too much): join again. */
  RESUME_FAILED: 410,
  RATE_LIMITED: 429,
  MEDIA_ERROR: 500,
  INTERNAL: 500,
  SHUTTING_DOWN: 503,
  NO_CAPACITY: 503,
  /** Redis (the cluster's coordinator and store) cannot be reached right now. */
  COORDINATION_UNAVAILABLE: 503,
  /** The SFU node serving this call is gone or its control connection is down. */
  NODE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** An error the caller can act on; anything else is reported as INTERNAL. */
export class TandemError extends Error {
  override readonly name = 'TandemError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return ErrorCodes[this.code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}
