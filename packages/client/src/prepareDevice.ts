import { Device, type types } from 'mediasoup-client';
import { RoomError } from './RoomTypes.js';
import { TandemApi } from './TandemApi.js';

/**
 * Loads the browser's media device with the server's router capabilities ahead of
 * joining — e.g. while the customer looks at their camera preview — so pressing Join
 * skips the capability probe (one peer connection and an offer). Pass the result to
 * `connectRoom({ device })`.
 */
export async function prepareDevice(serverUrl: string): Promise<Device> {
  let device: Device;
  try {
    device = await Device.factory();
  } catch (error) {
    throw new RoomError('MEDIA_UNSUPPORTED', `this browser cannot do WebRTC calls: ${String(error)}`);
  }
  const routerRtpCapabilities = await new TandemApi(serverUrl).routerCapabilities();
  try {
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as unknown as types.RtpCapabilities });
  } catch (error) {
    throw new RoomError('MEDIA_ERROR', `cannot load the media device: ${String(error)}`);
  }
  return device;
}
