export * from './CoordinatorTypes.js';
export { MemoryCoordinator } from './MemoryCoordinator.js';
export { NODE_LIVENESS_MS, isLive, loadScore, pickNode } from './placement.js';
