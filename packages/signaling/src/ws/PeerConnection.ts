import {
  ClientRequestSchemas,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  RequestFrame,
  TandemError,
  type ClientMethod,
  type ClientParams,
  type ClientResults,
  type ErrorCode,
  type ResponseFrame,
  type Role,
  type ServerNotifications,
  type SessionState,
} from '@tandem/protocol';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { CallRoom } from '../call/CallRoom.js';
import type { CallRooms } from '../call/CallRooms.js';
import type { PeerLink } from '../call/CallPeer.js';
import type { SignalingMetrics } from '../metrics.js';
import { RateLimiter } from '../RateLimiter.js';
import { Validator } from '../validation.js';
import type { ResumableConnections } from './ResumableConnections.js';

/** Notifications kept per peer for a resume to replay; a peer that missed more joins again. */
const OUTBOX_SIZE = 512;

/** What a call token grants, once verified. */
export interface CallGrants {
  sessionId: string;
  role: Role;
  subject: string;
  displayName: string;
}

export interface ConnectionContext {
  serverId: string;
  /** Where a dropped connection waits to be resumed. */
  resumable: ResumableConnections<PeerConnection>;
  rooms: CallRooms;
  verifyCallToken(token: string): CallGrants;
  sessionState(sessionId: string): Promise<SessionState>;
  metrics: SignalingMetrics;
  log: Logger;
}

/** The slice of a ws WebSocket we use, so tests can drive a connection without a socket. */
export interface FrameSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const frameValidator = new Validator(RequestFrame);
const paramValidators = Object.fromEntries(
  Object.entries(ClientRequestSchemas).map(([method, schema]) => [method, new Validator(schema)]),
) as { [M in ClientMethod]: Validator<(typeof ClientRequestSchemas)[M]> };

/** This connection's place in a call. */
interface Joined {
  room: CallRoom;
  grants: CallGrants;
  connId: string;
  resumeToken: string;
}

type Handlers = { [M in ClientMethod]: (params: ClientParams<M>) => Promise<ClientResults[M]> | ClientResults[M] };

/**
 * One signaling WebSocket: checks every frame, runs requests one at a time in arrival
 * order, and is the peer's PeerLink into its call. Nothing a client sends can throw
 * out of here: every failure becomes a typed error reply.
 */
export class PeerConnection implements PeerLink {
  #seq = 0;
  #queue: Promise<void> = Promise.resolve();
  #joined: Joined | undefined;
  /** Notifications sent while in a call, newest last, for a resume to replay. */
  #outbox: { seq: number; text: string }[] = [];
  #replay: string[] = [];
  #closed = false;
  #closing = false;
  /** Socket gone, peer kept in the call until resumed or its grace runs out. */
  #suspended = false;
  readonly #limiter = new RateLimiter(200, 100);
  #log: Logger;

  constructor(
    private readonly socket: FrameSocket,
    private readonly ctx: ConnectionContext,
  ) {
    this.#log = ctx.log;
    ctx.metrics.wsConnections.inc();
    this.notify('hello', { protocolVersion: PROTOCOL_VERSION, serverId: ctx.serverId });
  }

  get seq(): number {
    return this.#seq;
  }

  notify<M extends keyof ServerNotifications>(method: M, params: ServerNotifications[M]): void {
    if (this.#closed && !this.#suspended) return;
    this.#seq += 1;
    const text = JSON.stringify({ method, params, seq: this.#seq });
    if (this.#joined) {
      this.#outbox.push({ seq: this.#seq, text });
      if (this.#outbox.length > OUTBOX_SIZE) this.#outbox.shift();
    }
    if (!this.#closed) this.socket.send(text);
  }

  /**
   * Called by the room (replaced, session ended, call moved). The reply to the request
   * being handled, if any, still goes out first; then the socket closes.
   */
  close(code: number, reason: string): void {
    if (this.#suspended) {
      // Nobody to tell: the room let go of us, so there is nothing left to resume either.
      this.#suspended = false;
      if (this.#joined) this.ctx.resumable.drop(this.#joined.resumeToken);
      this.#joined = undefined;
      this.ctx.metrics.peers.dec();
      return;
    }
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    if (this.#joined) this.ctx.metrics.peers.dec();
    this.#joined = undefined; // the room already let go of us
    void this.#queue.then(() => {
      this.#closed = true;
      this.socket.close(code, reason);
    });
  }

  onFrame(data: Buffer | string, isBinary: boolean): void {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const refuse = (code: ErrorCode, message: string, id: number | null = null): void => {
      this.#reply(id, new TandemError(code, message));
    };
    // Refused frames are still answered under their request's id where it can be read
    // cheaply, so the client's call fails at once instead of hanging until its timeout.
    const limited = !this.#limiter.take('frames'); // every frame counts, oversized ones too
    if (size > MAX_FRAME_BYTES) return refuse('FRAME_TOO_LARGE', `frames are limited to ${MAX_FRAME_BYTES} bytes`, leadingId(data));
    if (limited) return refuse('RATE_LIMITED', 'too many messages; slow down', idOf(data));
    if (isBinary) return refuse('BAD_MESSAGE', 'frames must be JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return refuse('BAD_JSON', 'frame is not valid JSON');
    }
    const id = typeof raw === 'object' && raw !== null && Number.isSafeInteger((raw as { id?: unknown }).id)
      ? ((raw as { id: number }).id)
      : null;
    let frame: RequestFrame;
    try {
      frame = frameValidator.parse(raw, 'BAD_MESSAGE');
    } catch (error) {
      this.#reply(id, error);
      return;
    }
    this.#queue = this.#queue.then(() => this.#handle(frame));
  }

  /**
   * The socket is gone. Dropped by the network (no close handshake, or an unusual code): the peer stays in the call for a while,
   * its media untouched, waiting for a `resume`. Otherwise (or when the wait is over) it
   * leaves the call, unless a newer connection already replaced it.
   */
  onClose(code?: number): void {
    const joined = this.#joined;
    this.#closed = true;
    this.ctx.metrics.wsConnections.dec();
    if (!joined) return;
    // A clean close (1000 normal, 1001 page going away, 1005 no code) is the page's own doing:
    // it left, navigated or closed the tab, so no resume is coming. A drop gives 1006.
    const wentAway = code === 1000 || code === 1001 || code === 1005;
    if (!this.#closing && !wentAway) {
      this.#suspended = true;
      this.ctx.resumable.hold(joined.resumeToken, this, () => this.#leaveAfterSuspension());
      return;
    }
    this.#leave(joined);
  }

  /**
   * Gives this suspended connection's place in the call to a new socket. Refused unless
   * the same call token identity asks and every notification it missed is still kept.
   */
  #handOver(grants: CallGrants, lastSeq: number): { joined: Joined; seq: number; outbox: { seq: number; text: string }[] } {
    const joined = this.#joined;
    const fail = (): never => {
      if (joined) this.#leaveAfterSuspension(); // the client will join afresh: do not keep a ghost
      throw new TandemError('RESUME_FAILED', 'this call cannot be resumed; join again');
    };
    if (!this.#suspended || !joined) return fail();
    if (joined.grants.subject !== grants.subject || joined.grants.sessionId !== grants.sessionId) {
      // Someone else's token: refuse, and keep the place for its owner (no eviction by a guess).
      this.ctx.resumable.hold(joined.resumeToken, this, () => this.#leaveAfterSuspension());
      throw new TandemError('RESUME_FAILED', 'this call cannot be resumed; join again');
    }
    const oldest = this.#outbox[0]?.seq ?? this.#seq + 1;
    if (lastSeq > this.#seq || lastSeq < oldest - 1) return fail();
    this.#suspended = false;
    this.#joined = undefined;
    return { joined, seq: this.#seq, outbox: this.#outbox };
  }

  #leaveAfterSuspension(): void {
    const joined = this.#joined;
    if (!this.#suspended || !joined) return;
    this.#suspended = false;
    this.#leave(joined);
  }

  #leave(joined: Joined): void {
    this.#joined = undefined;
    this.ctx.metrics.peers.dec();
    this.#queue = this.#queue.then(async () => {
      await joined.room.leave(joined.connId, this);
      this.ctx.rooms.releaseIfEmpty(joined.room);
    });
  }

  async #handle(frame: RequestFrame): Promise<void> {
    const method = frame.method as ClientMethod;
    const started = performance.now();
    try {
      if (!Object.hasOwn(this.handlers, method)) {
        throw new TandemError('UNKNOWN_METHOD', `unknown method "${frame.method.slice(0, 64)}"`);
      }
      const params = paramValidators[method].parse(frame.params ?? {});
      const data = await (this.handlers[method] as (p: unknown) => unknown)(params);
      this.#reply(frame.id, undefined, data);
      // A resume's missed notifications follow its reply, in their original order.
      for (const text of this.#replay.splice(0)) if (!this.#closed) this.socket.send(text);
      this.ctx.metrics.requests.inc({ method, outcome: 'ok' });
      if (method === 'join') this.ctx.metrics.joinSeconds.observe((performance.now() - started) / 1000);
    } catch (error) {
      const code = this.#reply(frame.id, error);
      this.ctx.metrics.requests.inc({ method: Object.hasOwn(this.handlers, method) ? method : 'unknown', outcome: code });
    }
  }

  #reply(id: number | null, error: unknown, data?: unknown): ErrorCode | 'ok' {
    if (this.#closed) return error instanceof TandemError ? error.code : 'ok';
    let frame: ResponseFrame;
    if (error === undefined) {
      frame = { id: id ?? 0, ok: true, data };
    } else if (error instanceof TandemError) {
      frame = { id, ok: false, error: error.toBody() };
    } else {
      this.#log.error({ err: error }, 'request failed unexpectedly');
      frame = { id, ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
    }
    this.socket.send(JSON.stringify(frame));
    return frame.ok ? 'ok' : frame.error.code;
  }

  #call(): { room: CallRoom; connId: string } {
    if (!this.#joined) throw new TandemError('NOT_JOINED', 'join a call first');
    return { room: this.#joined.room, connId: this.#joined.connId };
  }

  private readonly handlers: Handlers = {
    join: async (p) => {
      if (this.#joined) throw new TandemError('ALREADY_JOINED', 'this connection has joined already');
      if (p.protocolVersion !== PROTOCOL_VERSION) {
        throw new TandemError('VERSION_MISMATCH', `server speaks protocol ${PROTOCOL_VERSION}; reload the page`);
      }
      const grants = this.ctx.verifyCallToken(p.token);
      if ((await this.ctx.sessionState(grants.sessionId)) === 'ended') {
        throw new TandemError('SESSION_ENDED', 'this support session has ended');
      }
      const room = await this.ctx.rooms.get(grants.sessionId);
      const { connId, ...result } = await room.join({
        peerId: grants.subject,
        role: grants.role,
        displayName: p.displayName ?? grants.displayName,
        link: this,
        rtpCapabilities: p.rtpCapabilities,
      });
      if (this.#closed) {
        await room.leave(connId, this);
        throw new TandemError('BAD_STATE', 'connection closed while joining');
      }
      this.#joined = { room, grants, connId, resumeToken: result.resumeToken };
      this.#log = this.ctx.log.child({ sessionId: grants.sessionId, peerId: grants.subject });
      this.ctx.metrics.peers.inc();
      return result;
    },
    resume: (p) => {
      if (this.#joined) throw new TandemError('ALREADY_JOINED', 'this connection has joined already');
      if (p.protocolVersion !== PROTOCOL_VERSION) {
        throw new TandemError('VERSION_MISMATCH', `server speaks protocol ${PROTOCOL_VERSION}; reload the page`);
      }
      const grants = this.ctx.verifyCallToken(p.token);
      const held = this.ctx.resumable.take(p.resumeToken);
      if (!held) throw new TandemError('RESUME_FAILED', 'nothing to resume on this server; join again');
      const taken = held.#handOver(grants, p.lastSeq);
      this.#joined = taken.joined;
      this.#seq = taken.seq;
      this.#outbox = taken.outbox;
      this.#replay = taken.outbox.filter((n) => n.seq > p.lastSeq).map((n) => n.text);
      taken.joined.room.relink(taken.joined.connId, this);
      this.#log = this.ctx.log.child({ sessionId: grants.sessionId, peerId: grants.subject });
      this.#log.info({ replayed: this.#replay.length }, 'peer resumed');
      return { peerId: grants.subject, sessionId: grants.sessionId, replayed: this.#replay.length };
    },
    setRtpCapabilities: (p) => {
      const { room, connId } = this.#call();
      room.peer(connId).rtpCapabilities = p.rtpCapabilities;
      return {};
    },
    connectTransport: (p) => this.#with((room, connId) => room.connectTransport(connId, p)),
    restartIce: (p) => this.#with((room, connId) => room.restartIce(connId, p)),
    produce: (p) => this.#with((room, connId) => room.produce(connId, p)),
    closeProducer: (p) => this.#with((room, connId) => room.closeProducer(connId, p.producerId)),
    pauseProducer: (p) => this.#with((room, connId) => room.setProducerPaused(connId, p.producerId, true)),
    resumeProducer: (p) => this.#with((room, connId) => room.setProducerPaused(connId, p.producerId, false)),
    consume: (p) => this.#with((room, connId) => room.consume(connId, p.producerId)),
    resumeConsumer: (p) => this.#with((room, connId) => room.resumeConsumer(connId, p.consumerId)),
    sendChat: (p) => this.#with((room, connId) => room.sendChat(connId, p)),
    requestScreen: () => this.#with((room, connId) => room.requestScreen(connId)),
    answerScreenRequest: (p) => this.#with((room, connId) => room.answerScreenRequest(connId, p)),
    endSession: () => this.#with((room, connId) => room.endSession(connId)),
    leave: async () => {
      const { room, connId } = this.#call();
      this.#joined = undefined;
      this.ctx.metrics.peers.dec();
      await room.leave(connId, this);
      this.ctx.rooms.releaseIfEmpty(room);
      return {};
    },
  };

  #with<T>(fn: (room: CallRoom, connId: string) => T): T {
    const { room, connId } = this.#call();
    return fn(room, connId);
  }
}

/** The id of a (size-checked) frame, or null; parsing a small frame costs far less than handling it. */
function idOf(data: Buffer | string): number | null {
  try {
    const id = (JSON.parse(data.toString()) as { id?: unknown } | null)?.id;
    return Number.isSafeInteger(id) ? (id as number) : null;
  } catch {
    return null;
  }
}

/** The id of a frame that starts `{"id":N`, read from its first bytes (an oversized frame is never parsed). */
function leadingId(data: Buffer | string): number | null {
  const head = (typeof data === 'string' ? data.slice(0, 40) : data.subarray(0, 40).toString('latin1'));
  const match = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(head);
  return match ? Number(match[1]) : null;
}
