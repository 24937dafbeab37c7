import WebSocket from 'ws';
import { MAX_CONTROL_FRAME_BYTES, TandemError, signControlToken } from '@tandem/protocol';

export interface ControlDial {
  url: string;
  secret: string;
  /** Token subject: who is connecting, as the SFU node logs it. */
  sub: string;
  timeoutMs: number;
}

/**
 * Opens one authenticated control WebSocket to an SFU node, with a fresh token.
 * Resolves with the open socket; rejects NODE_UNAVAILABLE however it fails (refused,
 * unreachable, 401, too slow), since the caller's answer is the same: not now.
 */
export async function openControlSocket(dial: ControlDial): Promise<WebSocket> {
  const token = await signControlToken(dial.secret, { sub: dial.sub });
  const ws = new WebSocket(dial.url, {
    headers: { authorization: `Bearer ${token}` },
    handshakeTimeout: dial.timeoutMs,
    // Responses are bounded by the node; this only stops a runaway frame.
    maxPayload: 4 * MAX_CONTROL_FRAME_BYTES,
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup();
      ws.on('error', () => {}); // a late error on the abandoned socket must not crash
      ws.terminate();
      reject(new TandemError('NODE_UNAVAILABLE', `SFU control connection to ${dial.url} failed: ${why}`));
    };
    const onOpen = (): void => {
      cleanup();
      resolve(ws);
    };
    const onError = (error: Error): void => fail(error.message);
    const onClose = (code: number): void => fail(`closed (${code})`);
    const onResponse = (_req: unknown, res: { statusCode?: number }): void =>
      fail(res.statusCode === 401 ? 'HTTP 401 (is the control secret the same on both sides?)' : `HTTP ${res.statusCode ?? '?'}`);
    const cleanup = (): void => {
      ws.off('open', onOpen).off('error', onError).off('close', onClose).off('unexpected-response', onResponse);
    };
    ws.on('open', onOpen).on('error', onError).on('close', onClose).on('unexpected-response', onResponse);
  });
}
