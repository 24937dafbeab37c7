import { TandemError } from '@tandem/protocol';
import type {
  Coordinator,
  RoomPlacement,
  SfuNodeHeartbeat,
  SfuNodeRecord,
  Unsubscribe,
} from './CoordinatorTypes.js';
import { isLive, pickNode } from './placement.js';

/**
 * Coordination for a single process (the default, no Redis). Every operation is
 * synchronous under the hood, so a claim is atomic by construction.
 */
export class MemoryCoordinator implements Coordinator {
  readonly #nodes = new Map<string, SfuNodeRecord>();
  readonly #placements = new Map<string, RoomPlacement>();
  readonly #channels = new Map<string, Set<(message: unknown) => void>>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async heartbeat(record: SfuNodeHeartbeat): Promise<void> {
    this.#nodes.set(record.nodeId, { ...record, load: { ...record.load }, updatedAt: this.#now() });
  }

  async removeNode(nodeId: string): Promise<void> {
    this.#nodes.delete(nodeId);
  }

  async listNodes(): Promise<SfuNodeRecord[]> {
    const now = this.#now();
    return [...this.#nodes.values()].filter((n) => isLive(n, now)).map((n) => ({ ...n, load: { ...n.load } }));
  }

  async placeRoom(roomId: string): Promise<RoomPlacement> {
    const now = this.#now();
    const current = this.#placements.get(roomId);
    const currentNode = current && this.#nodes.get(current.nodeId);
    if (current && currentNode && isLive(currentNode, now)) return { ...current };

    const node = pickNode([...this.#nodes.values()], now);
    if (!node) throw new TandemError('NO_CAPACITY', 'no media node can take this call right now');
    const placement: RoomPlacement = { roomId, nodeId: node.nodeId, placedAt: now };
    this.#placements.set(roomId, placement);
    // Count the room at once so a burst of placements spreads before the next heartbeat.
    node.load.rooms += 1;
    return { ...placement };
  }

  async getPlacement(roomId: string): Promise<RoomPlacement | null> {
    const placement = this.#placements.get(roomId);
    return placement ? { ...placement } : null;
  }

  async releaseRoom(roomId: string, nodeId: string): Promise<void> {
    if (this.#placements.get(roomId)?.nodeId === nodeId) this.#placements.delete(roomId);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    // Deliver asynchronously, as Redis would: a publisher never runs subscribers inline.
    const handlers = [...(this.#channels.get(channel) ?? [])];
    const copy = structuredClone(message);
    queueMicrotask(() => {
      for (const handler of handlers) handler(structuredClone(copy));
    });
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    let set = this.#channels.get(channel);
    if (!set) this.#channels.set(channel, (set = new Set()));
    set.add(handler);
    return async () => {
      set.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.#channels.clear();
  }
}
