import { randomBytes } from 'node:crypto';
import {
  TandemError,
  type ChatMessage,
  type ClientParams,
  type ClientResults,
  type JoinResult,
  type ProducerInfo,
  type Role,
  type ServerNotifications,
  type SessionEndReason,
  type SfuControl,
} from '@tandem/protocol';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { CallPeer, type PeerLink } from './CallPeer.js';

/** What a call needs from the support domain: its transcript and its session's state. */
export interface CallSupport {
  appendChat(input: {
    sessionId: string;
    from: string;
    role: Role;
    displayName: string;
    text: string;
    clientMessageId: string;
  }): Promise<ChatMessage>;
  listChat(sessionId: string): Promise<ChatMessage[]>;
  markActive(sessionId: string): Promise<void>;
  endSession(sessionId: string, reason: SessionEndReason): Promise<void>;
}

export interface Joiner {
  peerId: string;
  role: Role;
  displayName: string;
  link: PeerLink;
  rtpCapabilities?: unknown;
}

const newId = (): string => randomBytes(12).toString('base64url');

/**
 * One support session's call: who is in it, what they publish, and the fan-out of
 * everything that happens to the others. Media itself lives on the SFU node that the
 * coordinator placed the room on; this class only ever holds ids.
 */
export class CallRoom {
  readonly #peers = new Map<string, CallPeer>();
  readonly #screenRequests = new Map<string, string>(); // requestId → agent peerId
  #closed = false;

  private constructor(
    readonly sessionId: string,
    readonly sfu: SfuControl,
    readonly routerRtpCapabilities: unknown,
    private readonly support: CallSupport,
    private readonly log: Logger,
  ) {
    sfu.on('consumerClosed', this.#onConsumerClosed);
    sfu.on('producerClosed', this.#onProducerClosed);
  }

  static async open(sessionId: string, sfu: SfuControl, support: CallSupport, log: Logger): Promise<CallRoom> {
    const { routerRtpCapabilities } = await sfu.request('openRoom', { roomId: sessionId });
    return new CallRoom(sessionId, sfu, routerRtpCapabilities, support, log.child({ sessionId, nodeId: sfu.nodeId }));
  }

  get size(): number {
    return this.#peers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  peer(peerId: string): CallPeer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new TandemError('NOT_JOINED', 'not in this call');
    return peer;
  }

  /** Joins a peer; a peer already in the call under the same identity (a reload) is replaced. */
  async join(joiner: Joiner): Promise<JoinResult> {
    const previous = this.#peers.get(joiner.peerId);
    if (previous) {
      previous.link.notify('replaced', {});
      previous.link.close(4000, 'replaced by a newer connection');
      await this.#removePeer(previous, false);
    }
    const roomId = this.sessionId;
    const [send, recv, chat] = await Promise.all([
      this.sfu.request('createTransport', { roomId, peerId: joiner.peerId, direction: 'send' }),
      this.sfu.request('createTransport', { roomId, peerId: joiner.peerId, direction: 'recv' }),
      this.support.listChat(this.sessionId),
    ]);
    const peer = new CallPeer(joiner.peerId, joiner.role, joiner.displayName, joiner.link, send.id, recv.id, newId());
    peer.rtpCapabilities = joiner.rtpCapabilities;
    const others = [...this.#peers.values()];
    this.#peers.set(peer.peerId, peer);
    for (const other of others) other.link.notify('peerJoined', { peer: peer.info });
    if (joiner.role === 'customer') await this.support.markActive(this.sessionId);
    this.log.info({ peerId: peer.peerId, role: peer.role, replaced: Boolean(previous) }, 'peer joined');
    return {
      peerId: peer.peerId,
      role: peer.role,
      sessionId: this.sessionId,
      displayName: peer.displayName,
      routerRtpCapabilities: this.routerRtpCapabilities,
      sendTransport: send,
      recvTransport: recv,
      peers: others.map((o) => o.info),
      producers: others.flatMap((o) => this.#producerInfos(o)),
      chat,
      resumeToken: peer.resumeToken,
      seq: 0,
    };
  }

  /** Removes the peer on this link; a link already replaced by a newer one removes nothing. */
  async leave(peerId: string, link: PeerLink): Promise<void> {
    const peer = this.#peers.get(peerId);
    if (peer && peer.link === link) await this.#removePeer(peer, true);
  }

  async connectTransport(peerId: string, p: ClientParams<'connectTransport'>): Promise<ClientResults['connectTransport']> {
    this.#ownTransport(this.peer(peerId), p.transportId);
    await this.sfu.request('connectTransport', { roomId: this.sessionId, ...p });
    return {};
  }

  async restartIce(peerId: string, p: ClientParams<'restartIce'>): Promise<ClientResults['restartIce']> {
    this.#ownTransport(this.peer(peerId), p.transportId);
    return this.sfu.request('restartIce', { roomId: this.sessionId, transportId: p.transportId });
  }

  async produce(peerId: string, p: ClientParams<'produce'>): Promise<ClientResults['produce']> {
    const peer = this.peer(peerId);
    if (p.transportId !== peer.sendTransportId) throw new TandemError('FORBIDDEN', 'not your send transport');
    if ([...peer.producers.values()].some((x) => x.source === p.source)) {
      throw new TandemError('BAD_STATE', `already publishing ${p.source}`);
    }
    const { producerId } = await this.sfu.request('produce', { roomId: this.sessionId, peerId, ...p });
    peer.producers.set(producerId, { source: p.source, kind: p.kind, paused: false });
    const info: ProducerInfo = { producerId, peerId, kind: p.kind, source: p.source, paused: false };
    this.#notifyOthers(peerId, 'newProducer', { producer: info });
    return { producerId };
  }

  async closeProducer(peerId: string, producerId: string): Promise<ClientResults['closeProducer']> {
    const peer = this.peer(peerId);
    this.#ownProducer(peer, producerId);
    peer.producers.delete(producerId);
    await this.sfu.request('closeProducer', { roomId: this.sessionId, producerId });
    this.#notifyOthers(peerId, 'producerClosed', { producerId, peerId });
    return {};
  }

  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<Record<string, never>> {
    const producer = this.#ownProducer(this.peer(peerId), producerId);
    await this.sfu.request(paused ? 'pauseProducer' : 'resumeProducer', { roomId: this.sessionId, producerId });
    producer.paused = paused;
    this.#notifyOthers(peerId, paused ? 'producerPaused' : 'producerResumed', { producerId, peerId });
    return {};
  }

  async consume(peerId: string, producerId: string): Promise<ClientResults['consume']> {
    const peer = this.peer(peerId);
    if (peer.rtpCapabilities === undefined) {
      throw new TandemError('BAD_STATE', 'send rtpCapabilities (in join or setRtpCapabilities) before consuming');
    }
    const owner = [...this.#peers.values()].find((o) => o.producers.has(producerId));
    if (!owner) throw new TandemError('NOT_FOUND', 'no such producer in this call');
    if (owner === peer) throw new TandemError('BAD_PARAMS', 'cannot consume your own producer');
    const consumer = await this.sfu.request('consume', {
      roomId: this.sessionId,
      peerId,
      transportId: peer.recvTransportId,
      producerId,
      rtpCapabilities: peer.rtpCapabilities,
    });
    peer.consumers.set(consumer.id, producerId);
    return { ...consumer, peerId: owner.peerId, source: owner.producers.get(producerId)!.source };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<Record<string, never>> {
    if (!this.peer(peerId).consumers.has(consumerId)) throw new TandemError('NOT_FOUND', 'no such consumer');
    await this.sfu.request('resumeConsumer', { roomId: this.sessionId, consumerId });
    return {};
  }

  /** Stored durably first, then fanned out: a line the sender saw acknowledged is never lost. */
  async sendChat(peerId: string, p: ClientParams<'sendChat'>): Promise<ClientResults['sendChat']> {
    const peer = this.peer(peerId);
    const message = await this.support.appendChat({
      sessionId: this.sessionId,
      from: peer.peerId,
      role: peer.role,
      displayName: peer.displayName,
      text: p.text,
      clientMessageId: p.clientMessageId,
    });
    this.#notifyOthers(peerId, 'chatMessage', { message });
    return { message };
  }

  requestScreen(peerId: string): ClientResults['requestScreen'] {
    const agent = this.peer(peerId);
    if (agent.role !== 'agent') throw new TandemError('FORBIDDEN', 'only the agent can ask to see the screen');
    const customers = [...this.#peers.values()].filter((p) => p.role === 'customer');
    if (customers.length === 0) throw new TandemError('BAD_STATE', 'no customer in the call yet');
    const requestId = newId();
    this.#screenRequests.set(requestId, agent.peerId);
    for (const c of customers) c.link.notify('screenRequested', { requestId, from: agent.info });
    return { requestId };
  }

  answerScreenRequest(peerId: string, p: ClientParams<'answerScreenRequest'>): Record<string, never> {
    const customer = this.peer(peerId);
    if (customer.role !== 'customer') throw new TandemError('FORBIDDEN', 'only the customer answers a screen request');
    const agentId = this.#screenRequests.get(p.requestId);
    if (!agentId) throw new TandemError('NOT_FOUND', 'no such screen request');
    this.#screenRequests.delete(p.requestId);
    this.#peers.get(agentId)?.link.notify('screenRequestAnswered', { requestId: p.requestId, accepted: p.accepted });
    this.log.info({ peerId, accepted: p.accepted }, 'screen request answered');
    return {};
  }

  async endSession(peerId: string): Promise<Record<string, never>> {
    if (this.peer(peerId).role !== 'agent') throw new TandemError('FORBIDDEN', 'only the agent can end the session');
    await this.support.endSession(this.sessionId, 'ended-by-agent');
    await this.close('ended-by-agent');
    return {};
  }

  /** Tells everyone the session ended, drops them and frees the SFU room. */
  async close(reason: SessionEndReason): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) {
      peer.link.notify('sessionEnded', { reason });
      peer.link.close(4001, 'session ended');
    }
    this.#peers.clear();
    await this.dispose();
  }

  /** Frees the SFU room (the call is empty or over). */
  async dispose(): Promise<void> {
    this.#closed = true;
    this.sfu.off('consumerClosed', this.#onConsumerClosed);
    this.sfu.off('producerClosed', this.#onProducerClosed);
    await this.sfu.request('closeRoom', { roomId: this.sessionId }).catch((error: unknown) => {
      this.log.warn({ err: error }, 'closing the SFU room failed');
    });
  }

  async #removePeer(peer: CallPeer, announce: boolean): Promise<void> {
    if (this.#peers.get(peer.peerId) !== peer) return;
    this.#peers.delete(peer.peerId);
    for (const producerId of peer.producers.keys()) {
      this.#notifyOthers(peer.peerId, 'producerClosed', { producerId, peerId: peer.peerId });
    }
    if (announce) this.#notifyOthers(peer.peerId, 'peerLeft', { peerId: peer.peerId });
    await this.sfu.request('closePeer', { roomId: this.sessionId, peerId: peer.peerId }).catch((error: unknown) => {
      this.log.warn({ err: error, peerId: peer.peerId }, 'closing the peer on the SFU failed');
    });
    this.log.info({ peerId: peer.peerId }, announce ? 'peer left' : 'peer replaced');
  }

  #producerInfos(peer: CallPeer): ProducerInfo[] {
    return [...peer.producers].map(([producerId, p]) => ({ producerId, peerId: peer.peerId, ...p }));
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

  #notifyOthers: PeerNotifier = (exceptPeerId, method, params) => {
    for (const peer of this.#peers.values()) if (peer.peerId !== exceptPeerId) peer.link.notify(method, params);
  };

  readonly #onConsumerClosed = (e: { roomId: string; peerId: string; consumerId: string; producerId: string }): void => {
    if (e.roomId !== this.sessionId) return;
    const peer = this.#peers.get(e.peerId);
    if (peer?.consumers.delete(e.consumerId)) {
      peer.link.notify('consumerClosed', { consumerId: e.consumerId, producerId: e.producerId });
    }
  };

  readonly #onProducerClosed = (e: { roomId: string; peerId: string; producerId: string }): void => {
    if (e.roomId !== this.sessionId) return;
    const peer = this.#peers.get(e.peerId);
    if (peer?.producers.delete(e.producerId)) {
      this.#notifyOthers(e.peerId, 'producerClosed', { producerId: e.producerId, peerId: e.peerId });
    }
  };
}

type PeerNotifier = <M extends keyof ServerNotifications>(
  exceptPeerId: string,
  method: M,
  params: ServerNotifications[M],
) => void;
