import { randomBytes } from 'node:crypto';
import {
  TandemError,
  type CallMoveReason,
  type ClientParams,
  type ClientResults,
  type JoinResult,
  type Role,
  type SessionEndReason,
} from '@tandem/protocol';
import type { RoomPlacement } from '@tandem/cluster';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { callChannel, readCallEvent, type CallEvent } from './CallEvents.js';
import { deliverCallEvent } from './deliverCallEvent.js';
import { CallMedia } from './CallMedia.js';
import { CallPeer, type PeerLink } from './CallPeer.js';
import type { CallDeps, Joiner } from './CallRoomTypes.js';
import { CallRoster, type RosterProducer } from './CallRoster.js';

const newId = (): string => randomBytes(12).toString('base64url');

/** A room generation: one placement of the call. A moved call starts a new one (fresh roster). */
export const generationOf = (placement: RoomPlacement): string => `${placement.nodeId}.${placement.placedAt}`;

/**
 * One support session's call as this signaling process serves it: the peers connected
 * here, plus the shared roster and event channel that join them with the peers other
 * processes serve. One object per room generation: when the room moves to another SFU
 * node, this one is done and a new one opens on the new placement.
 */
export class CallRoom {
  /** connId → peer, for the peers connected to this process. */
  readonly #local = new Map<string, CallPeer>();
  readonly roster: CallRoster;
  readonly media: CallMedia;
  readonly generation: string;
  #unsubscribe: (() => Promise<void>) | undefined;
  /** Takes no more joins: the call ended, is moving, or this process let go of it. */
  #closed = false;
  #disposed = false;
  readonly #log: Logger;

  private constructor(
    readonly sessionId: string,
    readonly placement: RoomPlacement,
    readonly routerRtpCapabilities: unknown,
    private readonly deps: CallDeps,
  ) {
    this.generation = generationOf(placement);
    this.roster = new CallRoster(deps.coordinator, sessionId, this.generation);
    this.media = new CallMedia(sessionId, placement.nodeId, deps.nodes, deps.log);
    this.#log = deps.log.child({ sessionId, sfuNodeId: placement.nodeId });
  }

  static async open(sessionId: string, placement: RoomPlacement, deps: CallDeps): Promise<CallRoom> {
    const origin = deps.nodes.get(placement.nodeId);
    const { routerRtpCapabilities } = await origin.request('openRoom', { roomId: sessionId });
    const room = new CallRoom(sessionId, placement, routerRtpCapabilities, deps);
    room.#unsubscribe = await deps.coordinator.subscribe(callChannel(sessionId), (message) => room.#onEvent(message));
    await room.roster.addNode(placement.nodeId);
    return room;
  }

  get originNodeId(): string {
    return this.placement.nodeId;
  }

  /** Peers connected to this process. */
  get size(): number {
    return this.#local.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Node ids this process serves peers from (to move them if a node goes away). */
  get localNodeIds(): Set<string> {
    return new Set([...this.#local.values()].map((p) => p.nodeId));
  }

  peer(connId: string): CallPeer {
    const peer = this.#local.get(connId);
    if (!peer) throw new TandemError('NOT_JOINED', 'not in this call');
    return peer;
  }

  /** Joins a connection; an older connection of the same identity, here or elsewhere, is replaced. */
  async join(joiner: Joiner): Promise<JoinResult & { connId: string }> {
    if (this.#closed) throw new TandemError('NODE_UNAVAILABLE', 'this call is moving; reconnect');
    const roomId = this.sessionId;
    const connId = newId();
    const nodeId = this.#servingNode(joiner.role);
    if (nodeId !== this.originNodeId) {
      await this.media.request(nodeId, 'openRoom', { roomId });
      await this.roster.addNode(nodeId);
    }
    const [send, recv] = await Promise.all([
      this.media.request(nodeId, 'createTransport', { roomId, peerId: connId, direction: 'send' }),
      this.media.request(nodeId, 'createTransport', { roomId, peerId: connId, direction: 'recv' }),
    ]);
    const peer = new CallPeer(joiner.peerId, connId, nodeId, joiner.role, joiner.displayName, joiner.link, send.id, recv.id, newId());
    peer.rtpCapabilities = joiner.rtpCapabilities;
    // Hear the call's events first, then read its state: an event delivered before the
    // read (seq ≤ snapshot) is already in what we read; any later one reaches the client
    // with a higher seq and is applied on top (the client ignores duplicates). Reading
    // first would lose what happens in between, e.g. the other side's new camera.
    this.#local.set(connId, peer);
    const seq = joiner.link.seq;
    const [chat, view] = await Promise.all([this.deps.support.listChat(roomId), this.roster.view()]).catch(async (error: unknown) => {
      await this.#removePeer(peer, 'replaced');
      throw error;
    });
    if (this.#closed) {
      await this.#removePeer(peer, 'replaced');
      throw new TandemError('NODE_UNAVAILABLE', 'this call moved while joining; reconnect');
    }
    await this.roster.putPeer({ ...peer.info, connId, nodeId, joinedAt: Date.now() });
    await this.#publish({ type: 'peerJoined', gen: this.generation, peer: peer.info, connId });
    if (joiner.role === 'customer') await this.deps.support.markActive(roomId);
    this.#log.info({ peerId: peer.peerId, role: peer.role, mediaNodeId: nodeId }, 'peer joined');
    const others = view.peers.filter((p) => p.peerId !== peer.peerId);
    return {
      connId,
      peerId: peer.peerId,
      role: peer.role,
      sessionId: roomId,
      displayName: peer.displayName,
      routerRtpCapabilities: this.routerRtpCapabilities,
      sendTransport: send,
      recvTransport: recv,
      peers: others.map(({ peerId, role, displayName }) => ({ peerId, role, displayName })),
      producers: view.producers.filter((p) => p.peerId !== peer.peerId).map(toProducerInfo),
      chat,
      resumeToken: peer.resumeToken,
      seq,
      iceServers: this.deps.turn?.issue(peer.peerId) ?? [],
    };
  }

  /** A resumed connection takes over a peer's place (its media objects stay as they are). */
  relink(connId: string, link: PeerLink): void {
    this.peer(connId).link = link;
  }

  /** Removes the connection on this link; a link already replaced removes nothing. */
  async leave(connId: string, link: PeerLink): Promise<void> {
    const peer = this.#local.get(connId);
    if (peer && peer.link === link) await this.#removePeer(peer, 'left');
  }

  async connectTransport(connId: string, p: ClientParams<'connectTransport'>): Promise<ClientResults['connectTransport']> {
    const peer = this.peer(connId);
    this.#ownTransport(peer, p.transportId);
    await this.media.request(peer.nodeId, 'connectTransport', { roomId: this.sessionId, ...p });
    return {};
  }

  async restartIce(connId: string, p: ClientParams<'restartIce'>): Promise<ClientResults['restartIce']> {
    const peer = this.peer(connId);
    this.#ownTransport(peer, p.transportId);
    return this.media.request(peer.nodeId, 'restartIce', { roomId: this.sessionId, transportId: p.transportId });
  }

  async produce(connId: string, p: ClientParams<'produce'>): Promise<ClientResults['produce']> {
    const peer = this.peer(connId);
    if (p.transportId !== peer.sendTransportId) throw new TandemError('FORBIDDEN', 'not your send transport');
    if ([...peer.producers.values()].some((x) => x.source === p.source)) {
      throw new TandemError('BAD_STATE', `already publishing ${p.source}`);
    }
    const { producerId } = await this.media.request(peer.nodeId, 'produce', { roomId: this.sessionId, peerId: connId, ...p });
    peer.producers.set(producerId, { source: p.source, kind: p.kind, paused: false });
    const producer: RosterProducer = { producerId, peerId: peer.peerId, kind: p.kind, source: p.source, paused: false, connId, nodeId: peer.nodeId };
    await this.roster.putProducer(producer);
    await this.#publish({ type: 'producerAdded', gen: this.generation, producer: toProducerInfo(producer) });
    return { producerId };
  }

  async closeProducer(connId: string, producerId: string): Promise<ClientResults['closeProducer']> {
    const peer = this.peer(connId);
    this.#ownProducer(peer, producerId);
    await this.#dropProducer(peer, producerId);
    return {};
  }

  async setProducerPaused(connId: string, producerId: string, paused: boolean): Promise<Record<string, never>> {
    const peer = this.peer(connId);
    const producer = this.#ownProducer(peer, producerId);
    const { nodes } = await this.roster.view();
    await this.media.onEveryNode([peer.nodeId, ...nodes], paused ? 'pauseProducer' : 'resumeProducer', producerId);
    producer.paused = paused;
    await this.roster.putProducer({ producerId, peerId: peer.peerId, ...producer, connId, nodeId: peer.nodeId });
    await this.#publish({ type: 'producerPaused', gen: this.generation, producerId, peerId: peer.peerId, paused });
    return {};
  }

  async consume(connId: string, producerId: string): Promise<ClientResults['consume']> {
    const peer = this.peer(connId);
    if (peer.rtpCapabilities === undefined) {
      throw new TandemError('BAD_STATE', 'send rtpCapabilities (in join or setRtpCapabilities) before consuming');
    }
    const producer = (await this.roster.view()).producers.find((p) => p.producerId === producerId);
    if (!producer) throw new TandemError('NOT_FOUND', 'no such producer in this call');
    if (producer.peerId === peer.peerId) throw new TandemError('BAD_PARAMS', 'cannot consume your own producer');
    await this.media.ensureOn(producer, peer.nodeId);
    const consumer = await this.media.request(peer.nodeId, 'consume', {
      roomId: this.sessionId,
      peerId: connId,
      transportId: peer.recvTransportId,
      producerId,
      rtpCapabilities: peer.rtpCapabilities,
    });
    peer.consumers.set(consumer.id, producerId);
    return { ...consumer, peerId: producer.peerId, source: producer.source };
  }

  async resumeConsumer(connId: string, consumerId: string): Promise<Record<string, never>> {
    const peer = this.peer(connId);
    if (!peer.consumers.has(consumerId)) throw new TandemError('NOT_FOUND', 'no such consumer');
    await this.media.request(peer.nodeId, 'resumeConsumer', { roomId: this.sessionId, consumerId });
    return {};
  }

  /** Stored durably first, then fanned out: a line the sender saw acknowledged is never lost. */
  async sendChat(connId: string, p: ClientParams<'sendChat'>): Promise<ClientResults['sendChat']> {
    const peer = this.peer(connId);
    const message = await this.deps.support.appendChat({
      sessionId: this.sessionId,
      from: peer.peerId,
      role: peer.role,
      displayName: peer.displayName,
      text: p.text,
      clientMessageId: p.clientMessageId,
    });
    await this.#publish({ type: 'chat', message, fromConnId: connId }).catch((error: unknown) => {
      // Stored already: the others get it from the transcript when they (re)join.
      this.#log.warn({ err: error }, 'chat line stored but not fanned out');
    });
    return { message };
  }

  async requestScreen(connId: string): Promise<ClientResults['requestScreen']> {
    const agent = this.peer(connId);
    if (agent.role !== 'agent') throw new TandemError('FORBIDDEN', 'only the agent can ask to see the screen');
    const { peers } = await this.roster.view();
    if (!peers.some((p) => p.role === 'customer')) throw new TandemError('BAD_STATE', 'no customer in the call yet');
    const requestId = newId();
    await this.roster.putScreenRequest(requestId, agent.peerId);
    await this.#publish({ type: 'screenRequested', gen: this.generation, requestId, from: agent.info });
    return { requestId };
  }

  async answerScreenRequest(connId: string, p: ClientParams<'answerScreenRequest'>): Promise<Record<string, never>> {
    const customer = this.peer(connId);
    if (customer.role !== 'customer') throw new TandemError('FORBIDDEN', 'only the customer answers a screen request');
    const agentPeerId = (await this.roster.view()).screenRequests.get(p.requestId);
    if (!agentPeerId) throw new TandemError('NOT_FOUND', 'no such screen request');
    await this.roster.deleteScreenRequest(p.requestId);
    await this.#publish({ type: 'screenAnswered', gen: this.generation, requestId: p.requestId, accepted: p.accepted, agentPeerId });
    this.#log.info({ peerId: customer.peerId, accepted: p.accepted }, 'screen request answered');
    return {};
  }

  async endSession(connId: string): Promise<Record<string, never>> {
    if (this.peer(connId).role !== 'agent') throw new TandemError('FORBIDDEN', 'only the agent can end the session');
    await this.deps.support.endSession(this.sessionId, 'ended-by-agent');
    await this.announceEnd('ended-by-agent');
    return {};
  }

  /** Tells every process serving the call that the session ended (each closes its peers). */
  async announceEnd(reason: SessionEndReason): Promise<void> {
    await this.#publish({ type: 'sessionEnded', reason }).catch(async (error: unknown) => {
      this.#log.warn({ err: error }, 'could not announce the end to other processes');
      await this.close(reason);
    });
  }

  /** Tells every process serving this generation to send its peers to the call's new placement. */
  async announceMove(reason: CallMoveReason): Promise<void> {
    await this.#publish({ type: 'callMoved', gen: this.generation, reason }).catch(async (error: unknown) => {
      this.#log.warn({ err: error }, 'could not announce the move to other processes');
      await this.moveOut(reason);
    });
  }

  /** Sends the local peers on `nodeId` (all of them if omitted) to reconnect. */
  async moveOut(reason: CallMoveReason, nodeId?: string): Promise<void> {
    // The whole call moves: from now on a (re)joining peer must get the new generation, not this one.
    if (nodeId === undefined) this.#closed = true;
    const leaving = [...this.#local.values()].filter((p) => nodeId === undefined || p.nodeId === nodeId);
    for (const peer of leaving) {
      peer.link.notify('callMoved', { reason });
      peer.link.close(4002, 'call moved to another media node');
    }
    await Promise.all(leaving.map((peer) => this.#removePeer(peer, 'moved')));
    // This generation is abandoned by everyone at once: free its rooms (a draining node can then empty).
    if (nodeId === undefined) await this.dispose(true);
  }

  /** Tells this process's peers the session ended, drops them and lets go of the call. */
  async close(reason: SessionEndReason): Promise<void> {
    if (this.#disposed) return;
    this.#closed = true;
    for (const peer of this.#local.values()) {
      peer.link.notify('sessionEnded', { reason });
      peer.link.close(4001, 'session ended');
    }
    await Promise.all([...this.#local.values()].map((peer) => this.#removePeer(peer, 'moved')));
    await this.dispose(true);
  }

  /**
   * This process is done with the call. The SFU room is freed only when nobody in any
   * process is left in it (or `freeMedia` says the call is over for everyone).
   */
  async dispose(freeMedia: boolean): Promise<boolean> {
    if (this.#disposed) return false;
    this.#disposed = this.#closed = true;
    await this.#unsubscribe?.().catch(() => undefined);
    const view = await this.roster.view().catch(() => null);
    if (!freeMedia && (view === null || view.peers.length > 0)) return false;
    await this.media.closeEverywhere(view?.nodes ?? []);
    return true;
  }

  #servingNode(role: Role): string {
    if (this.deps.pipeRole !== role) return this.originNodeId;
    return this.deps.nodes.pickOther(this.originNodeId) ?? this.originNodeId;
  }

  async #removePeer(peer: CallPeer, why: 'left' | 'replaced' | 'moved'): Promise<void> {
    if (this.#local.get(peer.connId) !== peer) return;
    this.#local.delete(peer.connId);
    await Promise.all([...peer.producers.keys()].map((producerId) => this.#dropProducer(peer, producerId).catch(() => undefined)));
    await this.media.request(peer.nodeId, 'closePeer', { roomId: this.sessionId, peerId: peer.connId }).catch((error: unknown) => {
      this.#log.debug({ err: error, peerId: peer.peerId }, 'closing the peer on the SFU failed');
    });
    if (why === 'replaced') return void this.#log.info({ peerId: peer.peerId }, 'peer replaced');
    await this.roster.deletePeer(peer.peerId, peer.connId).catch(() => undefined);
    // A newer connection of the same identity elsewhere means a reload, not a departure.
    const successor = (await this.roster.view().catch(() => null))?.peers.some((p) => p.peerId === peer.peerId);
    if (why === 'left' && !successor) {
      await this.#publish({ type: 'peerLeft', gen: this.generation, peerId: peer.peerId, connId: peer.connId }).catch(() => undefined);
    }
    this.#log.info({ peerId: peer.peerId, why }, 'peer left');
  }

  async #dropProducer(peer: CallPeer, producerId: string): Promise<void> {
    if (!peer.producers.delete(producerId)) return;
    const { nodes } = await this.roster.view().catch(() => ({ nodes: [] as string[] }));
    await this.media.onEveryNode([peer.nodeId, ...nodes], 'closeProducer', producerId);
    await this.roster.deleteProducer(producerId);
    await this.#publish({ type: 'producerClosed', gen: this.generation, producerId, peerId: peer.peerId });
  }

  /** The SFU closed a producer itself (its transport died): tell the call. */
  async onProducerClosedBySfu(connId: string, producerId: string): Promise<void> {
    const peer = this.#local.get(connId);
    if (peer) await this.#dropProducer(peer, producerId).catch(() => undefined);
  }

  onConsumerClosedBySfu(connId: string, consumerId: string, producerId: string): void {
    const peer = this.#local.get(connId);
    if (peer?.consumers.delete(consumerId)) peer.link.notify('consumerClosed', { consumerId, producerId });
  }

  #publish(event: CallEvent): Promise<void> {
    return this.deps.coordinator.publish(callChannel(this.sessionId), event);
  }

  #onEvent(message: unknown): void {
    const event = readCallEvent(message);
    if (!event) return void this.#log.warn('ignored a malformed call event');
    if ('gen' in event && event.gen !== this.generation) return;
    deliverCallEvent(event, [...this.#local.values()], {
      replace: (peer) => this.#replace(peer),
      end: (reason) => void this.close(reason),
      move: (reason) => void this.moveOut(reason),
    });
  }

  #replace(peer: CallPeer): void {
    peer.link.notify('replaced', {});
    peer.link.close(4000, 'replaced by a newer connection');
    void this.#removePeer(peer, 'replaced');
  }

  #ownTransport(peer: CallPeer, transportId: string): void {
    if (transportId !== peer.sendTransportId && transportId !== peer.recvTransportId) {
      throw new TandemError('FORBIDDEN', 'not your transport');
    }
  }

  #ownProducer(peer: CallPeer, producerId: string) {
    const producer = peer.producers.get(producerId);
    if (!producer) throw new TandemError('NOT_FOUND', 'no such producer of yours');
    return producer;
  }
}

function toProducerInfo({ producerId, peerId, kind, source, paused }: RosterProducer) {
  return { producerId, peerId, kind, source, paused };
}
