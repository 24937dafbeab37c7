export * from './CoordinatorTypes.js';
export { MemoryCoordinator } from './MemoryCoordinator.js';
export { NODE_LIVENESS_MS, ROSTER_TTL_MS, isLive, loadScore, pickNode, placementView } from './placement.js';
export { RedisCoordinator, type RedisCoordinatorOptions, type CoordinatorLog } from './RedisCoordinator.js';
