export * from './RoomTypes.js';
export { Room, connectRoom } from './Room.js';
export {
  SignalingChannel,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type SignalingChannelOptions,
  type SignalingEvents,
  type ServerNotice,
  type WebSocketConstructor,
} from './SignalingChannel.js';
export { DefaultReconnectPolicy, type BackoffOptions } from './ReconnectPolicy.js';
export { TandemApi, type FetchFunction } from './TandemApi.js';
export { captureCameraAndMic, captureScreen, listMediaDevices, type CameraAndMic, type CaptureOptions } from './capture.js';
export { signalingUrl } from './CallLink.js';
export { prepareDevice } from './prepareDevice.js';
export {
  NetworkTest,
  judgeNetwork,
  WEAK_NETWORK,
  type NetworkTestOptions,
  type NetworkReport,
  type NetworkFigures,
  type NetworkVerdict,
  type NetworkWeakness,
} from './NetworkTest.js';
