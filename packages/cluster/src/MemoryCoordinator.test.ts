import { MemoryCoordinator } from './MemoryCoordinator.js';
import { coordinatorContract } from './coordinator.contract.js';

coordinatorContract('in-memory', async (clock) => new MemoryCoordinator({ now: () => clock.now }));
