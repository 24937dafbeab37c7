import { isErrorCode } from '@tandem/protocol';
import type { ShownError } from '../i18n/catalogue.js';

export const PAGE_REASONS: readonly ShownError[] = [
  'CONNECTION_LOST', 'MEDIA_UNSUPPORTED', 'MEDIA_DENIED', 'MEDIA_NOT_FOUND', 'SCREEN_FAILED', 'COPY_FAILED',
  'OPS_TOKEN_REJECTED', 'OPS_DISABLED', 'OPS_NODE_GONE',
];

/**
 * The reason behind anything thrown at the pages: the SDK's RoomError reason, a wire
 * error code, or a browser media error. Unknown failures are INTERNAL, never raw text.
 */
export function reasonOf(error: unknown): ShownError {
  if (isErrorCode(error) || PAGE_REASONS.includes(error as ShownError)) return error as ShownError;
  if (typeof error === 'object' && error !== null) {
    const { reason, code, name } = error as { reason?: unknown; code?: unknown; name?: unknown };
    for (const candidate of [reason, code]) {
      if (isErrorCode(candidate)) return candidate;
      if (PAGE_REASONS.includes(candidate as ShownError)) return candidate as ShownError;
    }
    // getUserMedia failures are DOMExceptions named by the spec.
    if (name === 'NotAllowedError' || name === 'SecurityError') return 'MEDIA_DENIED';
    if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'MEDIA_NOT_FOUND';
    if (name === 'NotSupportedError') return 'MEDIA_UNSUPPORTED';
  }
  return 'INTERNAL';
}
