import type { Coordinator } from '@tandem/cluster';
import type { ChatMessage, IceServer, Role, SessionEndReason } from '@tandem/protocol';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { SfuNodes } from './CallMedia.js';
import type { PeerLink } from './CallPeer.js';

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

export interface CallDeps {
  coordinator: Coordinator;
  nodes: SfuNodes & { pickOther(exceptNodeId: string): string | undefined };
  support: CallSupport;
  log: Logger;
  /** Serve this role's peers from a node other than the room's origin (cross-node media on purpose). */
  pipeRole?: Role | undefined;
  /** Issues TURN credentials into each join result; absent = no TURN. */
  turn?: TurnIssuer | undefined;
}

/** Time-limited TURN credentials for one peer (support's TurnCredentials). */
export interface TurnIssuer {
  issue(peerId: string): IceServer[];
}

export interface Joiner {
  peerId: string;
  role: Role;
  displayName: string;
  link: PeerLink;
  rtpCapabilities?: unknown;
}
