import { TandemError, type SessionEndReason, type SfuControl } from '@tandem/protocol';
import type { Coordinator } from '@tandem/cluster';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { CallRoom, type CallSupport } from './CallRoom.js';

/** How long an empty call keeps its SFU room, so a reload finds it still warm. */
const EMPTY_ROOM_GRACE_MS = 15_000;

/**
 * The calls this signaling process is running, one per support session, each placed
 * on an SFU node by the coordinator. Opening is de-duplicated: two peers joining at
 * once share one room.
 */
export class CallRooms {
  readonly #rooms = new Map<string, Promise<CallRoom>>();
  readonly #emptyTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly coordinator: Coordinator,
    private readonly sfuNodes: ReadonlyMap<string, SfuControl>,
    private readonly support: CallSupport,
    private readonly log: Logger,
  ) {}

  get openCount(): number {
    return this.#rooms.size;
  }

  async get(sessionId: string): Promise<CallRoom> {
    this.#cancelEmptyTimer(sessionId);
    let room = this.#rooms.get(sessionId);
    if (!room) {
      room = this.#open(sessionId);
      this.#rooms.set(sessionId, room);
      room.catch(() => this.#rooms.delete(sessionId));
    }
    const opened = await room;
    if (opened.closed) {
      this.#rooms.delete(sessionId);
      return this.get(sessionId);
    }
    return opened;
  }

  /** Called after a peer leaves: frees the room once it has stayed empty for a while. */
  releaseIfEmpty(room: CallRoom): void {
    if (room.size > 0 || room.closed) return;
    this.#cancelEmptyTimer(room.sessionId);
    const timer = setTimeout(() => {
      this.#emptyTimers.delete(room.sessionId);
      if (room.size > 0 || this.#rooms.get(room.sessionId) === undefined) return;
      this.#rooms.delete(room.sessionId);
      void room.dispose().then(() => this.coordinator.releaseRoom(room.sessionId, room.sfu.nodeId));
    }, EMPTY_ROOM_GRACE_MS);
    timer.unref();
    this.#emptyTimers.set(room.sessionId, timer);
  }

  /** Ends a session's call if it is running here (e.g. ended from the HTTP API). */
  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    const room = await this.#rooms.get(sessionId)?.catch(() => undefined);
    if (!room) return;
    this.#rooms.delete(sessionId);
    await room.close(reason);
    await this.coordinator.releaseRoom(sessionId, room.sfu.nodeId);
  }

  async closeAll(reason: SessionEndReason): Promise<void> {
    for (const timer of this.#emptyTimers.values()) clearTimeout(timer);
    this.#emptyTimers.clear();
    await Promise.all([...this.#rooms.keys()].map((id) => this.end(id, reason)));
  }

  async #open(sessionId: string): Promise<CallRoom> {
    const placement = await this.coordinator.placeRoom(sessionId);
    const sfu = this.sfuNodes.get(placement.nodeId);
    if (!sfu) throw new TandemError('NO_CAPACITY', 'the media node for this call is not reachable');
    return CallRoom.open(sessionId, sfu, this.support, this.log);
  }

  #cancelEmptyTimer(sessionId: string): void {
    const timer = this.#emptyTimers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.#emptyTimers.delete(sessionId);
  }
}
