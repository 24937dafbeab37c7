import type { types } from 'mediasoup';
import { TandemError } from '@tandem/protocol';
import { mediaCall, requireId } from './mediaErrors.js';
import type { PlainTransportInfo, PlainTransportRemote, PlainTransportRequest } from './SfuNodeTypes.js';

/**
 * Plain RTP endpoints in a room: how recording, SIP and tests get media in and out
 * without WebRTC. Unencrypted, so they listen on a private address (default loopback).
 */
export async function openPlainTransport(
  router: types.Router,
  listenIp: string,
  request: PlainTransportRequest,
): Promise<{ transport: types.PlainTransport; peerId: string; info: PlainTransportInfo }> {
  const peerId = requireId(request?.peerId, 'peerId');
  const transport = await mediaCall(() =>
    router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: listenIp },
      comedia: request.comedia === true,
      rtcpMux: request.rtcpMux !== false,
      appData: { peerId, direction: 'plain' },
    }),
  );
  const info: PlainTransportInfo = {
    transportId: transport.id,
    ip: transport.tuple.localAddress ?? transport.tuple.localIp,
    port: transport.tuple.localPort,
  };
  if (transport.rtcpTuple) info.rtcpPort = transport.rtcpTuple.localPort;
  return { transport, peerId, info };
}

export async function connectPlain(transport: types.PlainTransport, remote: PlainTransportRemote): Promise<void> {
  requireId(remote?.ip, 'ip');
  const ports = [remote.port, ...(remote.rtcpPort === undefined ? [] : [remote.rtcpPort])];
  if (!ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
    throw new TandemError('BAD_PARAMS', 'port must be an integer in 1..65535');
  }
  await mediaCall(() =>
    transport.connect({ ip: remote.ip, port: remote.port, ...(remote.rtcpPort ? { rtcpPort: remote.rtcpPort } : {}) }),
  );
}
