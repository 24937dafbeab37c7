import type { MediaSource, PeerInfo, Role, ServerNotifications } from '@tandem/protocol';

/** The socket side of a peer, as a call sees it. */
export interface PeerLink {
  notify<M extends keyof ServerNotifications>(method: M, params: ServerNotifications[M]): void;
  /** Sequence number of the last notification sent; the join result says which ones it already reflects. */
  readonly seq: number;
  /** Ends the connection (e.g. replaced by a reload); the link must not call back into the room. */
  close(code: number, reason: string): void;
}

/**
 * One participant connected to THIS signaling process. Media objects live on the SFU
 * node `nodeId`, owned there by `connId` (one per connection, so a reload's new
 * connection and the old one never touch each other's transports).
 */
export class CallPeer {
  rtpCapabilities: unknown = undefined;
  readonly producers = new Map<string, { source: MediaSource; kind: 'audio' | 'video'; paused: boolean }>();
  /** consumerId → producerId */
  readonly consumers = new Map<string, string>();

  constructor(
    readonly peerId: string,
    readonly connId: string,
    readonly nodeId: string,
    readonly role: Role,
    readonly displayName: string,
    public link: PeerLink,
    readonly sendTransportId: string,
    readonly recvTransportId: string,
    readonly resumeToken: string,
  ) {}

  get info(): PeerInfo {
    return { peerId: this.peerId, role: this.role, displayName: this.displayName };
  }
}
