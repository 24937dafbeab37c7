import type { types } from 'mediasoup';
import type { TransportDirection, TransportOptions } from '@tandem/protocol';
import { mediaCall } from './mediaErrors.js';

/** A browser's send or recv transport, on the worker's shared WebRtcServer port. */
export async function openWebRtcTransport(
  router: types.Router,
  webRtcServer: types.WebRtcServer,
  maxIncomingBitrate: number,
  peerId: string,
  direction: TransportDirection,
): Promise<{ transport: types.WebRtcTransport; options: TransportOptions }> {
  const transport = await mediaCall(() =>
    router.createWebRtcTransport({
      webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { peerId, direction },
    }),
  );
  if (direction === 'send') {
    // One browser must not be able to flood the worker.
    await mediaCall(() => transport.setMaxIncomingBitrate(maxIncomingBitrate)).catch((error) => {
      transport.close();
      throw error;
    });
  }
  const options: TransportOptions = {
    id: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  };
  return { transport, options };
}

/** Bytes in plus out since they opened: one stats call per transport, nothing kept. */
export async function webRtcMediaBytes(transports: Iterable<types.Transport>): Promise<number> {
  const totals = await Promise.all(
    [...transports].map(async (transport) => {
      if (transport.type !== 'webrtc') return 0;
      // A transport closing mid-call counts as nothing rather than failing the stats.
      const stats = await (transport as types.WebRtcTransport).getStats().catch(() => []);
      return stats.reduce((sum, s) => sum + s.bytesReceived + s.bytesSent, 0);
    }),
  );
  return totals.reduce((a, b) => a + b, 0);
}
