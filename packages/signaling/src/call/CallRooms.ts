import { TandemError, type CallMoveReason, type SessionEndReason } from '@tandem/protocol';
import type { Coordinator, RoomPlacement } from '@tandem/cluster';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { SfuNodeDirectory } from '../sfu-link/SfuNodeDirectory.js';
import { callChannel, type CallEvent } from './CallEvents.js';
import { CallRoom, generationOf } from './CallRoom.js';
import type { CallDeps } from './CallRoomTypes.js';

/** How long an empty call keeps its SFU room, so a reload finds it still warm. */
const EMPTY_ROOM_GRACE_MS = 15_000;

/**
 * The calls this signaling process serves peers of, one per support session, each on
 * the SFU node the coordinator placed it on. Opening is de-duplicated: two peers joining
 * at once share one room. When a node dies or drains, the calls on it move: the claim
 * moves first (atomically, so every process agrees), then everyone is told to reconnect.
 */
export class CallRooms {
  readonly #rooms = new Map<string, Promise<CallRoom>>();
  readonly #emptyTimers = new Map<string, NodeJS.Timeout>();
  readonly #deps: CallDeps;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly nodes: SfuNodeDirectory,
    deps: Omit<CallDeps, 'coordinator' | 'nodes'>,
    private readonly log: Logger,
  ) {
    this.#deps = { ...deps, coordinator, nodes };
    nodes.on('nodeLost', (nodeId) => void this.#moveOff(nodeId, 'node-lost'));
    nodes.on('nodeDraining', (nodeId) => void this.#moveOff(nodeId, 'node-draining'));
    nodes.on('consumerClosed', (e) => {
      void this.#existing(e.roomId).then((room) => room?.onConsumerClosedBySfu(e.peerId, e.consumerId, e.producerId));
    });
    nodes.on('producerClosed', (e) => {
      void this.#existing(e.roomId).then((room) => room?.onProducerClosedBySfu(e.peerId, e.producerId));
    });
  }

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
      if (this.#rooms.get(sessionId) === room) this.#rooms.delete(sessionId);
      return this.get(sessionId);
    }
    return opened;
  }

  /** Called after a peer leaves: lets go of the call once it has stayed empty here for a while. */
  releaseIfEmpty(room: CallRoom): void {
    if (room.size > 0 || room.closed) return;
    this.#cancelEmptyTimer(room.sessionId);
    const timer = setTimeout(() => {
      this.#emptyTimers.delete(room.sessionId);
      if (room.size > 0) return;
      void this.#forget(room).then(async (freed) => {
        if (freed) await this.coordinator.releaseRoom(room.sessionId, room.originNodeId).catch(() => undefined);
      });
    }, EMPTY_ROOM_GRACE_MS);
    timer.unref();
    this.#emptyTimers.set(room.sessionId, timer);
  }

  /** Ends a session's call for everyone, on every process (e.g. ended from the HTTP API). */
  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    await this.coordinator.publish(callChannel(sessionId), { type: 'sessionEnded', reason }).catch(async () => {
      const room = await this.#existing(sessionId);
      await room?.close(reason);
    });
  }

  /** This process stops: its peers are told (by the caller) to reconnect elsewhere; rooms are let go. */
  async closeAll(): Promise<void> {
    for (const timer of this.#emptyTimers.values()) clearTimeout(timer);
    this.#emptyTimers.clear();
    const rooms = await Promise.all([...this.#rooms.values()].map((r) => r.catch(() => undefined)));
    this.#rooms.clear();
    await Promise.all(rooms.map((room) => room?.dispose(false)));
  }

  async #open(sessionId: string): Promise<CallRoom> {
    let placement = await this.coordinator.placeRoom(sessionId);
    for (let attempt = 1; ; attempt++) {
      // A room on a node that is leaving (draining, or whose control connection is down) moves before anyone joins it.
      const leaving = this.nodes.isDraining(placement.nodeId) || this.nodes.isDown(placement.nodeId);
      if (!leaving) {
        try {
          await this.nodes.ensure(placement.nodeId);
          return await CallRoom.open(sessionId, placement, this.#deps);
        } catch (error) {
          // A node that died a moment ago still has a live-looking record: do not wait for it to age out.
          if (attempt >= 3 || !(error instanceof TandemError && error.code === 'NODE_UNAVAILABLE')) throw error;
        }
      }
      placement = await this.#move(sessionId, placement, this.nodes.isDraining(placement.nodeId) ? 'node-draining' : 'node-lost');
    }
  }

  /** Moves the claim off the placement's node and tells whoever still serves the old generation. */
  async #move(sessionId: string, from: RoomPlacement, reason: CallMoveReason): Promise<RoomPlacement> {
    const moved = await this.coordinator.movePlacement(sessionId, from.nodeId);
    const event: CallEvent = { type: 'callMoved', gen: generationOf(from), reason };
    await this.coordinator.publish(callChannel(sessionId), event).catch(() => undefined);
    return moved;
  }

  async #existing(sessionId: string): Promise<CallRoom | undefined> {
    return (await this.#rooms.get(sessionId)?.catch(() => undefined)) ?? undefined;
  }

  /** Drops the room from this process; true when the SFU room was freed too (nobody left anywhere). */
  async #forget(room: CallRoom): Promise<boolean> {
    if ((await this.#existing(room.sessionId)) === room) this.#rooms.delete(room.sessionId);
    return room.dispose(false);
  }

  /** Every call this process serves on `nodeId` moves: the claim first, then the peers. */
  async #moveOff(nodeId: string, reason: CallMoveReason): Promise<void> {
    const rooms = (await Promise.all([...this.#rooms.values()].map((r) => r.catch(() => undefined)))).filter(
      (room): room is CallRoom => room !== undefined && !room.closed,
    );
    await Promise.all(
      rooms.map(async (room) => {
        try {
          if (room.originNodeId === nodeId) {
            if ((await this.#existing(room.sessionId)) === room) this.#rooms.delete(room.sessionId);
            await this.coordinator.movePlacement(room.sessionId, nodeId).catch((error: unknown) => {
              this.log.warn({ err: error, sessionId: room.sessionId }, 'could not re-place the call yet; peers will retry');
            });
            await room.announceMove(reason);
          } else if (room.localNodeIds.has(nodeId)) {
            await room.moveOut(reason, nodeId);
          }
        } catch (error) {
          this.log.warn({ err: error, sessionId: room.sessionId, sfuNodeId: nodeId }, 'moving a call off a node failed');
        }
      }),
    );
    if (rooms.length > 0) this.log.info({ sfuNodeId: nodeId, reason, calls: rooms.length }, 'calls moved off a node');
  }

  #cancelEmptyTimer(sessionId: string): void {
    const timer = this.#emptyTimers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.#emptyTimers.delete(sessionId);
  }
}
