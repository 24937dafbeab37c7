import type { MediaSource, PeerInfo, Role, ServerNotifications } from '@tandem/protocol';

/** The socket side of a peer, as a call sees it. */
export interface PeerLink {
  notify<M extends keyof ServerNotifications>(method: M, params: ServerNotifications[M]): void;
  /** Ends the connection (e.g. replaced by a reload); the link must not call back into the room. */
  close(code: number, reason: string): void;
}

/** One participant of a call, as the signaling layer tracks it. Media objects live in the SFU. */
export class CallPeer {
  rtpCapabilities: unknown = undefined;
  readonly producers = new Map<string, { source: MediaSource; kind: 'audio' | 'video'; paused: boolean }>();
  /** consumerId → producerId */
  readonly consumers = new Map<string, string>();

  constructor(
    readonly peerId: string,
    readonly role: Role,
    readonly displayName: string,
    readonly link: PeerLink,
    readonly sendTransportId: string,
    readonly recvTransportId: string,
    readonly resumeToken: string,
  ) {}

  get info(): PeerInfo {
    return { peerId: this.peerId, role: this.role, displayName: this.displayName };
  }
}
