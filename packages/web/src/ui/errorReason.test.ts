import { RoomError } from '@tandem/client';
import { TandemError } from '@tandem/protocol';
import { describe, expect, it } from 'vitest';
import { reasonOf } from './errorReason.js';

describe('reasonOf', () => {
  it('keeps the code of SDK and wire errors, so the user reads the right message', () => {
    expect(reasonOf(new RoomError('CODE_EXPIRED', 'gone'))).toBe('CODE_EXPIRED');
    expect(reasonOf(new RoomError('CONNECTION_LOST', 'x'))).toBe('CONNECTION_LOST');
    expect(reasonOf(new TandemError('RATE_LIMITED', 'slow down'))).toBe('RATE_LIMITED');
    expect(reasonOf('SESSION_ENDED')).toBe('SESSION_ENDED');
  });

  it('names browser media failures', () => {
    expect(reasonOf(Object.assign(new Error('no'), { name: 'NotAllowedError' }))).toBe('MEDIA_DENIED');
    expect(reasonOf(Object.assign(new Error('no'), { name: 'NotFoundError' }))).toBe('MEDIA_NOT_FOUND');
  });

  it('turns anything else into INTERNAL rather than showing raw text', () => {
    for (const thrown of [new Error('boom'), 'boom', null, undefined, 42, { code: 'NOPE' }, { reason: '__proto__' }]) {
      expect(reasonOf(thrown)).toBe('INTERNAL');
    }
  });
});
