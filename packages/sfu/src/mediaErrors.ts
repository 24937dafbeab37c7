import { TandemError, type MediaKind, type MediaSource } from '@tandem/protocol';

/**
 * mediasoup reports bad input as TypeError (checked in JS or rejected by the worker)
 * or UnsupportedError (e.g. a codec the router lacks); anything else is the media
 * engine failing. Callers only ever see a TandemError.
 */
export function toTandemError(error: unknown): TandemError {
  if (error instanceof TandemError) return error;
  if (error instanceof Error) {
    if (error instanceof TypeError || error.name === 'UnsupportedError') {
      return new TandemError('BAD_PARAMS', error.message);
    }
    return new TandemError('MEDIA_ERROR', error.message);
  }
  return new TandemError('MEDIA_ERROR', String(error));
}

/** Runs a mediasoup call, turning whatever it throws into a TandemError. */
export async function mediaCall<T>(call: () => Promise<T> | T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTandemError(error);
  }
}

export function notFound(what: string, id: unknown): TandemError {
  return new TandemError('NOT_FOUND', `${what} ${typeof id === 'string' ? id : JSON.stringify(id)} not found`);
}

/** Ids come from a wire one day: anything not a short plain string is refused up front. */
export function requireId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw new TandemError('BAD_PARAMS', `${name} must be a non-empty string`);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TandemError('BAD_PARAMS', `${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TandemError('BAD_PARAMS', `${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

export const KINDS: readonly MediaKind[] = ['audio', 'video'];
export const SOURCES: readonly MediaSource[] = ['mic', 'camera', 'screen'];

/** Audio comes only from the mic, and the mic gives only audio. */
export function requireMatchingKind(kind: MediaKind, source: MediaSource): void {
  if ((source === 'mic') !== (kind === 'audio')) {
    throw new TandemError('BAD_PARAMS', `a ${source} track cannot be ${kind}`);
  }
}
