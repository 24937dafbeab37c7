import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  DtlsParameters,
  Id,
  MediaKind,
  MediaSource,
  RtpCapabilities,
  RtpParameters,
  type ConsumerOptions,
  type TransportOptions,
} from './media.js';

/** Who is on the other end of a connection. Grants follow from the role, nothing else. */
export const Role = Type.Union([Type.Literal('agent'), Type.Literal('customer')]);
export type Role = Static<typeof Role>;

export interface PeerInfo {
  peerId: string;
  role: Role;
  displayName: string;
}

export interface ProducerInfo {
  producerId: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

export interface ChatMessage {
  messageId: string;
  sessionId: string;
  /** Sender's peer id; `system` for lines Tandem writes itself. */
  from: string;
  role: Role | 'system';
  displayName: string;
  text: string;
  /** Milliseconds since the epoch, assigned by the server when the line was stored. */
  at: number;
}

export const MAX_CHAT_CHARS = 4000;

const NoParams = Type.Optional(Type.Object({}, { additionalProperties: false }));

/**
 * Client→server requests. Each entry pairs the params schema (validated on arrival)
 * with the result type, so a handler's reply is type-checked against its request.
 */
export const ClientRequestSchemas = {
  join: Type.Object(
    {
      protocolVersion: Type.Integer({ minimum: 0 }),
      /** Session token from login (agent) or join-code redemption (customer). */
      token: Type.String({ minLength: 16, maxLength: 2048 }),
      /** The browser's capabilities, if it has loaded its device already; saves a round trip. */
      rtpCapabilities: Type.Optional(RtpCapabilities),
      displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    },
    { additionalProperties: false },
  ),
  /**
   * After the socket dropped: take the same peer back (its media never stopped) and get
   * the notifications sent after `lastSeq`. RESUME_FAILED means: join again instead.
   */
  resume: Type.Object(
    {
      protocolVersion: Type.Integer({ minimum: 0 }),
      token: Type.String({ minLength: 16, maxLength: 2048 }),
      resumeToken: Type.String({ minLength: 8, maxLength: 64 }),
      lastSeq: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false },
  ),
  setRtpCapabilities: Type.Object({ rtpCapabilities: RtpCapabilities }, { additionalProperties: false }),
  connectTransport: Type.Object({ transportId: Id, dtlsParameters: DtlsParameters }, { additionalProperties: false }),
  restartIce: Type.Object({ transportId: Id }, { additionalProperties: false }),
  produce: Type.Object(
    { transportId: Id, kind: MediaKind, source: MediaSource, rtpParameters: RtpParameters },
    { additionalProperties: false },
  ),
  closeProducer: Type.Object({ producerId: Id }, { additionalProperties: false }),
  pauseProducer: Type.Object({ producerId: Id }, { additionalProperties: false }),
  resumeProducer: Type.Object({ producerId: Id }, { additionalProperties: false }),
  consume: Type.Object({ producerId: Id }, { additionalProperties: false }),
  resumeConsumer: Type.Object({ consumerId: Id }, { additionalProperties: false }),
  sendChat: Type.Object(
    {
      text: Type.String({ minLength: 1, maxLength: MAX_CHAT_CHARS }),
      /** Chosen by the client so a retried send is stored once. */
      clientMessageId: Id,
    },
    { additionalProperties: false },
  ),
  /** Agent only: ask the customer to share their screen. */
  requestScreen: NoParams,
  /** Customer only: answer a screen request. */
  answerScreenRequest: Type.Object({ requestId: Id, accepted: Type.Boolean() }, { additionalProperties: false }),
  /** Agent only: end the support session for everyone; its join code stops working. */
  endSession: NoParams,
  leave: NoParams,
} satisfies Record<string, TSchema>;

export type ClientMethod = keyof typeof ClientRequestSchemas;
export type ClientParams<M extends ClientMethod> = Static<(typeof ClientRequestSchemas)[M]>;

export interface JoinResult {
  peerId: string;
  role: Role;
  sessionId: string;
  displayName: string;
  routerRtpCapabilities: unknown;
  sendTransport: TransportOptions;
  recvTransport: TransportOptions;
  peers: PeerInfo[];
  producers: ProducerInfo[];
  /** The transcript so far, oldest first. */
  chat: ChatMessage[];
  /** Present to reconnect as the same peer after the socket drops. */
  resumeToken: string;
  /** Sequence number of the last notification already reflected in this result. */
  seq: number;
  /**
   * TURN servers with credentials issued for this join (TURN REST style, expiring);
   * empty when the server has no TURN configured. Give them to both transports.
   */
  iceServers: IceServer[];
}

/** One entry of RTCConfiguration.iceServers, as the browser takes it. */
export interface IceServer {
  /** turn: or turns: URLs, e.g. `turn:turn.example.com:3478?transport=udp`. */
  urls: string[];
  /** `<expiry unix seconds>:<peerId>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)); valid until the expiry in the username. */
  credential: string;
}

export interface ClientResults {
  join: JoinResult;
  /** The missed notifications follow this reply, in order, with their original seq. */
  resume: { peerId: string; sessionId: string; replayed: number };
  setRtpCapabilities: Record<string, never>;
  connectTransport: Record<string, never>;
  restartIce: { iceParameters: unknown };
  produce: { producerId: string };
  closeProducer: Record<string, never>;
  pauseProducer: Record<string, never>;
  resumeProducer: Record<string, never>;
  consume: ConsumerOptions & { peerId: string; source: MediaSource };
  resumeConsumer: Record<string, never>;
  sendChat: { message: ChatMessage };
  requestScreen: { requestId: string };
  answerScreenRequest: Record<string, never>;
  endSession: Record<string, never>;
  leave: Record<string, never>;
}

export type SessionEndReason = 'ended-by-agent' | 'expired' | 'server-shutdown';

/** Server→client notifications. */
export interface ServerNotifications {
  /** First frame on every connection. */
  hello: { protocolVersion: number; serverId: string };
  peerJoined: { peer: PeerInfo };
  peerLeft: { peerId: string };
  newProducer: { producer: ProducerInfo };
  producerClosed: { producerId: string; peerId: string };
  producerPaused: { producerId: string; peerId: string };
  producerResumed: { producerId: string; peerId: string };
  consumerClosed: { consumerId: string; producerId: string };
  chatMessage: { message: ChatMessage };
  /** To the customer: the agent asks to see the screen. */
  screenRequested: { requestId: string; from: PeerInfo };
  /** To the agent: the customer's answer. */
  screenRequestAnswered: { requestId: string; accepted: boolean };
  sessionEnded: { reason: SessionEndReason };
  /** This connection was replaced by a newer one for the same peer (e.g. a reload). */
  replaced: Record<string, never>;
  serverShuttingDown: Record<string, never>;
  /**
   * The call's media moves to another SFU node (its node died or is draining): reconnect
   * at once; the same token rejoins the same call.
   */
  callMoved: { reason: CallMoveReason };
}

export type CallMoveReason = 'node-lost' | 'node-draining';
export type ServerNotificationMethod = keyof ServerNotifications;
