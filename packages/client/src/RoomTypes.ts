import type {
  ChatMessage,
  ErrorCode,
  MediaKind,
  MediaSource,
  PeerInfo,
  Role,
  SessionEndReason,
} from '@tandem/protocol';
import type { Device } from 'mediasoup-client';
import type { ConnectionQuality } from './ConnectionQuality.js';
import type { MediaProfile } from './mediaProfile.js';

export type { MediaProfile } from './mediaProfile.js';
export type { ConnectionQuality, DownloadFigures, QualityLevel, QualityReason, UploadFigures } from './ConnectionQuality.js';

/** How the Room behaves when its WebSocket drops. Pluggable, as LiveKit's ReconnectPolicy. */
export interface ReconnectPolicy {
  /** Delay before attempt `attempt` (1-based), or null to give up. */
  nextRetryDelayMs(attempt: number, elapsedMs: number): number | null;
}

export interface RoomOptions {
  /** Origin of the Tandem server, e.g. `location.origin`. ws(s):// is derived from it. */
  serverUrl: string;
  /** Call token from `TandemApi.redeemJoinCode` or `TandemApi.sessionToken`/`createSession`. */
  token: string;
  displayName?: string;
  reconnectPolicy?: ReconnectPolicy;
  /** Tests and embedders: a mediasoup-client Device to use instead of detecting the browser's. */
  device?: Device;
  /** Tests and embedders: a WebSocket implementation instead of the global one. */
  WebSocket?: new (url: string) => WebSocket;
  /** Tests and embedders: a fetch implementation instead of the global one. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * 'relay' sends all media through the server's TURN relay (as a network that allows
   * nothing else would); default 'all'. Tests and diagnostics.
   */
  iceTransportPolicy?: 'all' | 'relay';
  /** ms between connection-quality readings (default 2000); 0 turns the polling off. */
  qualityIntervalMs?: number;
  /** 'plain' publishes as a bare mediasoup-client app would (diagnostics, benchmarks); default 'tandem'. */
  mediaProfile?: MediaProfile;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface RemoteTrack {
  peerId: string;
  producerId: string;
  consumerId: string;
  source: MediaSource;
  kind: MediaKind;
  track: MediaStreamTrack;
  /** The sender paused it (muted mic, camera off). */
  paused: boolean;
}

export interface LocalPublication {
  producerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  muted: boolean;
}

/** Why a Room failed or closed, as a reason enum (cf. LiveKit's DisconnectReason). */
export type RoomErrorReason = ErrorCode | 'CONNECTION_LOST' | 'MEDIA_UNSUPPORTED';

export type RoomEvents = {
  connectionStateChanged: [state: ConnectionState];
  peerJoined: [peer: PeerInfo];
  peerLeft: [peerId: string];
  trackSubscribed: [track: RemoteTrack];
  trackUnsubscribed: [track: RemoteTrack];
  /** A remote track was paused or resumed by its sender. */
  trackMuteChanged: [track: RemoteTrack];
  chatMessage: [message: ChatMessage];
  /** The connection-quality verdict (level or reasons) changed; figures in `quality`. */
  connectionQualityChanged: [quality: ConnectionQuality];
  /** Customer side: the agent asks to see the screen. Answer with `answerScreenRequest`. */
  screenRequested: [request: { requestId: string; from: PeerInfo }];
  /** Agent side: the customer's answer. */
  screenRequestAnswered: [answer: { requestId: string; accepted: boolean }];
  /** A local publication ended on its own (e.g. the browser's "Stop sharing" button). */
  localTrackEnded: [publication: LocalPublication];
  sessionEnded: [reason: SessionEndReason];
  /** Another tab or a reload took over this peer. The Room is closed. */
  replaced: [];
  error: [error: RoomError];
};

export class RoomError extends Error {
  override readonly name = 'RoomError';
  constructor(
    readonly reason: RoomErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Public surface of a joined call. */
export interface RoomApi {
  readonly peerId: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly connectionState: ConnectionState;
  /** Everyone else in the call. */
  readonly peers: ReadonlyMap<string, PeerInfo>;
  readonly remoteTracks: ReadonlyMap<string, RemoteTrack>;
  readonly localPublications: ReadonlyMap<MediaSource, LocalPublication>;
  /** Transcript, oldest first, including history from before this page load. */
  readonly chat: readonly ChatMessage[];
  /** The latest connection-quality verdict, null before the first reading. */
  readonly connectionQuality: ConnectionQuality | null;

  publish(track: MediaStreamTrack, source: MediaSource): Promise<LocalPublication>;
  unpublish(source: MediaSource): Promise<void>;
  /** Pauses the producer (the SFU stops forwarding) and disables the track. */
  setMuted(source: MediaSource, muted: boolean): Promise<void>;
  sendChat(text: string): Promise<ChatMessage>;
  requestScreen(): Promise<string>;
  answerScreenRequest(requestId: string, accepted: boolean): Promise<void>;
  endSession(): Promise<void>;
  leave(): Promise<void>;
  /** Inbound video stats per remote track (framesDecoded, frameWidth, ...), for diagnostics and tests. */
  getInboundVideoStats(): Promise<Map<string, RTCInboundRtpStreamStats>>;
}
