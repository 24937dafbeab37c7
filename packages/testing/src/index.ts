export * from './tandem.js';
export { SignalingClient } from './SignalingClient.js';
export * from './chromium.js';
export * from './pages.js';
export * from './redis.js';
export * from './cluster.js';
export * from './mediaGap.js';
export * from './netem/index.js';
export * from './turn.js';
