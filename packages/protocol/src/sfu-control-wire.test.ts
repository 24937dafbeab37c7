import { describe, expect, it } from 'vitest';
import { TandemError } from './errors.js';
import {
  MAX_CONTROL_FRAME_BYTES,
  SFU_METHODS,
  controlFrameId,
  decodeControlRequest,
  decodeControlServerFrame,
} from './sfu-control-wire.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'decoded';
  } catch (error) {
    expect(error).toBeInstanceOf(TandemError);
    return (error as TandemError).code;
  }
};

describe('SFU control frames', () => {
  it('knows every SfuControl method, including the pipe ones', () => {
    expect(SFU_METHODS).toEqual(expect.arrayContaining(['openRoom', 'createTransport', 'nodeStats', 'pipeIn']));
    expect(new Set(SFU_METHODS).size).toBe(SFU_METHODS.length);
  });

  it('decodes a request and refuses broken ones with the right code and, where possible, the id', () => {
    expect(decodeControlRequest('{"id":7,"method":"openRoom","params":{"roomId":"r"}}')).toEqual({
      id: 7, method: 'openRoom', params: { roomId: 'r' },
    });
    expect(decodeControlRequest('{"id":1,"method":"nodeStats"}')).toEqual({ id: 1, method: 'nodeStats', params: {} });
    expect(codeOf(() => decodeControlRequest('{nope'))).toBe('BAD_JSON');
    expect(codeOf(() => decodeControlRequest('[1,2]'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlRequest('null'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlRequest('{"id":-1,"method":"openRoom"}'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlRequest('{"id":1,"method":"openRoom","extra":1}'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlRequest('{"id":3,"method":"teleport","params":{}}'))).toBe('UNKNOWN_METHOD');
    expect(codeOf(() => decodeControlRequest('{"id":3,"method":"__proto__","params":{}}'))).toBe('UNKNOWN_METHOD');
    const huge = JSON.stringify({ id: 4, method: 'openRoom', params: { pad: 'x'.repeat(MAX_CONTROL_FRAME_BYTES) } });
    expect(codeOf(() => decodeControlRequest(huge))).toBe('FRAME_TOO_LARGE');
    expect(controlFrameId('{"id":3,"method":"teleport"}')).toBe(3);
    expect(controlFrameId('{"id":"3"}')).toBeNull();
    expect(controlFrameId('{nope')).toBeNull();
  });

  it('decodes responses and events, and refuses anything else', () => {
    expect(decodeControlServerFrame('{"id":1,"ok":true,"data":{"a":1}}')).toEqual({ id: 1, ok: true, data: { a: 1 } });
    const error = '{"id":null,"ok":false,"error":{"code":"BAD_JSON","message":"m"}}';
    expect(decodeControlServerFrame(error)).toEqual({ id: null, ok: false, error: { code: 'BAD_JSON', message: 'm' } });
    const event = { event: 'producerClosed', args: [{ roomId: 'r', peerId: 'p', producerId: 'x' }] };
    expect(decodeControlServerFrame(JSON.stringify(event))).toEqual(event);
    expect(codeOf(() => decodeControlServerFrame('{"id":1,"ok":false,"error":{"code":"NOPE","message":"m"}}'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlServerFrame('{"event":"producerClosed","args":[{"roomId":"r"}]}'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlServerFrame('{"event":"explode","args":[]}'))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeControlServerFrame('oops'))).toBe('BAD_JSON');
  });
});
