import type { types } from 'mediasoup';

/**
 * Calls `onFailed` once when a browser transport is beyond saving without help:
 * DTLS failed or closed (the browser closed its side), or ICE stayed 'disconnected'
 * longer than the grace period (mediasoup already waited out ICE consent by then;
 * a short blip such as a Wi-Fi hand-over recovers by itself within the grace).
 */
export function watchTransport(
  transport: types.WebRtcTransport,
  graceMs: number,
  onFailed: (state: string) => void,
): void {
  let timer: NodeJS.Timeout | undefined;
  let reported = false;
  const report = (state: string): void => {
    if (reported || transport.closed) return;
    reported = true;
    onFailed(state);
  };
  const clear = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };

  transport.on('dtlsstatechange', (state) => {
    if (state === 'failed' || state === 'closed') report(`dtls-${state}`);
  });
  transport.on('icestatechange', (state) => {
    if (state === 'disconnected') {
      clear();
      timer = setTimeout(() => report('ice-disconnected'), graceMs);
      timer.unref();
    } else {
      clear();
      // Recovered (or restarted): a later failure is news again.
      if (state === 'connected' || state === 'completed') reported = false;
    }
  });
  transport.observer.once('close', clear);
}
