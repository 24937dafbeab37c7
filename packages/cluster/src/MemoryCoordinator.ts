import { TandemError } from '@tandem/protocol';
import type {
  Coordinator,
  HeartbeatReply,
  RoomPlacement,
  SfuNodeHeartbeat,
  SfuNodeRecord,
  Unsubscribe,
} from './CoordinatorTypes.js';
import {
  checkChannel,
  checkHeartbeat,
  checkId,
  checkRequestedState,
  checkRosterValue,
  encodeMessage,
} from './coordinatorInput.js';
import { ROSTER_TTL_MS, isLive, pickNode, placementView } from './placement.js';

interface Roster {
  entries: Map<string, string>;
  writtenAt: number;
}

/**
 * Coordination for a single process (the default, no Redis). Every operation is
 * synchronous under the hood, so a claim is atomic by construction.
 */
export class MemoryCoordinator implements Coordinator {
  readonly #nodes = new Map<string, SfuNodeRecord>();
  readonly #requested = new Map<string, 'SERVING' | 'DRAINING'>();
  readonly #claimedSinceHeartbeat = new Map<string, number>();
  readonly #placements = new Map<string, RoomPlacement>();
  readonly #rosters = new Map<string, Roster>();
  readonly #channels = new Map<string, Set<(message: unknown) => void>>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  get available(): boolean {
    return true;
  }

  async heartbeat(record: SfuNodeHeartbeat): Promise<HeartbeatReply> {
    const heartbeat = checkHeartbeat(record);
    this.#nodes.set(heartbeat.nodeId, { ...heartbeat, updatedAt: this.#now() });
    this.#claimedSinceHeartbeat.delete(heartbeat.nodeId);
    return { requestedState: this.#requested.get(heartbeat.nodeId) ?? null };
  }

  async removeNode(nodeId: string): Promise<void> {
    checkId('nodeId', nodeId);
    this.#nodes.delete(nodeId);
    this.#claimedSinceHeartbeat.delete(nodeId);
  }

  async listNodes(): Promise<SfuNodeRecord[]> {
    const now = this.#now();
    return [...this.#nodes.values()]
      .filter((n) => isLive(n, now))
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId))
      .map((n) => {
        const requested = this.#requested.get(n.nodeId);
        return { ...n, load: { ...n.load }, ...(requested === 'SERVING' || requested === 'DRAINING' ? { requestedState: requested } : {}) };
      });
  }

  async requestNodeState(nodeId: string, state: 'SERVING' | 'DRAINING'): Promise<void> {
    checkId('nodeId', nodeId);
    this.#requested.set(nodeId, checkRequestedState(state));
  }

  async placeRoom(roomId: string): Promise<RoomPlacement> {
    return this.#claim(checkId('roomId', roomId), null);
  }

  async movePlacement(roomId: string, fromNodeId: string): Promise<RoomPlacement> {
    return this.#claim(checkId('roomId', roomId), checkId('nodeId', fromNodeId));
  }

  /** Keeps a claim on a live node (other than `excluded`), else claims the best other node. */
  #claim(roomId: string, excluded: string | null): RoomPlacement {
    const now = this.#now();
    const current = this.#placements.get(roomId);
    const holder = current && this.#nodes.get(current.nodeId);
    if (current && holder && current.nodeId !== excluded && isLive(holder, now)) return { ...current };

    const candidates = [...this.#nodes.values()].filter((n) => n.nodeId !== excluded);
    const node = pickNode(placementView(candidates, this.#requested, this.#claimedSinceHeartbeat), now);
    if (!node) throw new TandemError('NO_CAPACITY', 'no media node can take this call right now');
    const placement: RoomPlacement = { roomId, nodeId: node.nodeId, placedAt: now };
    this.#placements.set(roomId, placement);
    this.#claimedSinceHeartbeat.set(node.nodeId, (this.#claimedSinceHeartbeat.get(node.nodeId) ?? 0) + 1);
    return { ...placement };
  }

  async getPlacement(roomId: string): Promise<RoomPlacement | null> {
    const placement = this.#placements.get(checkId('roomId', roomId));
    return placement ? { ...placement } : null;
  }

  async releaseRoom(roomId: string, nodeId: string): Promise<void> {
    checkId('nodeId', nodeId);
    if (this.#placements.get(checkId('roomId', roomId))?.nodeId === nodeId) this.#placements.delete(roomId);
  }

  async rosterPut(roomId: string, generation: string, field: string, value: string): Promise<void> {
    const key = this.#rosterKey(roomId, generation);
    checkId('field', field);
    checkRosterValue(value);
    const roster = this.#liveRoster(key) ?? { entries: new Map<string, string>(), writtenAt: 0 };
    roster.entries.set(field, value);
    roster.writtenAt = this.#now();
    this.#rosters.set(key, roster);
  }

  async rosterDelete(roomId: string, generation: string, field: string): Promise<void> {
    const key = this.#rosterKey(roomId, generation);
    const roster = this.#liveRoster(key);
    roster?.entries.delete(checkId('field', field));
    if (roster?.entries.size === 0) this.#rosters.delete(key);
  }

  async rosterList(roomId: string, generation: string): Promise<Record<string, string>> {
    const roster = this.#liveRoster(this.#rosterKey(roomId, generation));
    return Object.fromEntries(roster?.entries ?? []);
  }

  #rosterKey(roomId: string, generation: string): string {
    return JSON.stringify([checkId('roomId', roomId), checkId('generation', generation)]);
  }

  /** The roster, unless a day passed since its last write (Redis would have expired it). */
  #liveRoster(key: string): Roster | undefined {
    const roster = this.#rosters.get(key);
    if (roster && this.#now() - roster.writtenAt > ROSTER_TTL_MS) {
      this.#rosters.delete(key);
      return undefined;
    }
    return roster;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    // Deliver asynchronously, as Redis would: a publisher never runs subscribers inline.
    const handlers = [...(this.#channels.get(checkChannel(channel)) ?? [])];
    const text = encodeMessage(message);
    queueMicrotask(() => {
      for (const handler of handlers) {
        try {
          handler(JSON.parse(text));
        } catch {
          // A throwing subscriber must not keep the message from the others.
        }
      }
    });
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    let set = this.#channels.get(checkChannel(channel));
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
