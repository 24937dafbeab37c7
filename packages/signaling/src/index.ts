export { buildSignalingApp, type SignalingApp } from './app.js';
export type { SignalingConfig, SignalingDeps } from './SignalingTypes.js';
export { logRedaction, maskJoinCodes } from './logging.js';
