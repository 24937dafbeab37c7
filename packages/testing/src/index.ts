export * from './tandem.js';
export { SignalingClient } from './SignalingClient.js';
