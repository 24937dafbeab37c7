export { loadConfig, ConfigError, type TandemConfig } from './config.js';
export { startAll, createLog, type RunningTandem } from './start.js';
export { startSignaling, startSfu, type TandemRole } from './start.js';
