export { buildSignalingApp, type SignalingApp } from './app.js';
export type { SignalingConfig, SignalingDeps } from './SignalingTypes.js';
export { logRedaction, maskJoinCodes } from './logging.js';
export { registerCoordinationMetric, registerNodeMetrics } from './metrics.js';
export { SfuNodeDirectory, type SfuConnector, type SfuLink } from './sfu-link/SfuNodeDirectory.js';
export {
  RemoteSfuNode,
  type RemoteSfuNodeEvents,
  type RemoteSfuNodeOptions,
  type SfuLinkLogger,
} from './sfu-link/RemoteSfuNode.js';
