import type { ConsumerOptions, MediaKind, MediaSource, TransportDirection, TransportOptions } from './media.js';
import type { NetworkLeg, ProbeEcho, ProbeLeg } from './networkTest.js';

/**
 * The signaling layer drives an SFU node only through these requests and events.
 * Today they are plain calls inside one process; the cluster issue carries the very
 * same messages over an authenticated control connection. So: plain JSON data only,
 * no mediasoup objects, no callbacks.
 */
export interface SfuRequests {
  /** Every router is built from one codec list, so these are any room's capabilities. */
  routerCapabilities: { params: Record<string, never>; result: { routerRtpCapabilities: unknown } };
  openRoom: { params: { roomId: string }; result: { routerRtpCapabilities: unknown } };
  closeRoom: { params: { roomId: string }; result: Record<string, never> };
  createTransport: {
    params: { roomId: string; peerId: string; direction: TransportDirection };
    result: TransportOptions;
  };
  connectTransport: {
    params: { roomId: string; transportId: string; dtlsParameters: unknown };
    result: Record<string, never>;
  };
  restartIce: { params: { roomId: string; transportId: string }; result: { iceParameters: unknown } };
  produce: {
    params: {
      roomId: string;
      peerId: string;
      transportId: string;
      kind: MediaKind;
      source: MediaSource;
      rtpParameters: unknown;
    };
    result: { producerId: string };
  };
  closeProducer: { params: { roomId: string; producerId: string }; result: Record<string, never> };
  pauseProducer: { params: { roomId: string; producerId: string }; result: Record<string, never> };
  resumeProducer: { params: { roomId: string; producerId: string }; result: Record<string, never> };
  consume: {
    params: {
      roomId: string;
      peerId: string;
      transportId: string;
      producerId: string;
      rtpCapabilities: unknown;
    };
    /** Created paused; the browser resumes it once its consumer exists, so no keyframe is lost. */
    result: ConsumerOptions;
  };
  resumeConsumer: { params: { roomId: string; consumerId: string }; result: Record<string, never> };
  /** Closes every transport (and so producer and consumer) of the peer. */
  closePeer: { params: { roomId: string; peerId: string }; result: Record<string, never> };
  nodeStats: { params: Record<string, never>; result: SfuNodeStats };

  // Cross-node media. A room that spans nodes has one pipe transport per (room, other
  // node) on each side. Every pipe request is idempotent, so two signaling processes
  // wiring the same producer at once end up with one pipe, not two.
  /** Opens (or returns) this room's pipe transport towards `remoteNodeId`. */
  openPipe: { params: { roomId: string; remoteNodeId: string }; result: PipeEndpoint };
  /** Points this room's pipe towards `remoteNodeId` at the other side's endpoint. */
  connectPipe: { params: { roomId: string; remoteNodeId: string; ip: string; port: number }; result: Record<string, never> };
  /** Sends a local producer down the pipe (one pipe consumer per producer and remote node). */
  pipeOut: { params: { roomId: string; remoteNodeId: string; producerId: string }; result: PipedProducer };
  /** Creates, from the pipe, a local producer with the remote producer's id (no-op if it exists). */
  pipeIn: {
    params: { roomId: string; remoteNodeId: string } & PipedProducer;
    result: Record<string, never>;
  };

  // Pre-call network test: throwaway transports on a router of their own, torn down by
  // closeProbe or, whatever happens to signaling, after a short time to live.
  openProbe: { params: { probeId: string; legs: NetworkLeg[] }; result: { legs: ProbeLeg[] } };
  connectProbe: { params: { probeId: string; transportId: string; dtlsParameters: unknown }; result: Record<string, never> };
  /** The browser's data producer on a send transport, echoed back through a data consumer on the leg's recv transport. */
  echoProbe: { params: { probeId: string; transportId: string; sctpStreamParameters: unknown; label?: string }; result: ProbeEcho };
  closeProbe: { params: { probeId: string }; result: Record<string, never> };
}

export interface PipeEndpoint {
  transportId: string;
  ip: string;
  port: number;
}

/** A producer as it crosses a pipe: enough for the far node to re-create it under the same id. */
export interface PipedProducer {
  producerId: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  rtpParameters: unknown;
  paused: boolean;
}
export type SfuMethod = keyof SfuRequests;

export interface SfuNodeStats {
  nodeId: string;
  rooms: number;
  /** Distinct peers with a transport on this node. */
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
  workers: { pid: number; cpuMs: number }[];
  /** Bytes received plus sent by all WebRTC transports since they opened (rate = delta / time). */
  mediaBytes: number;
}

/** Things that happen inside the SFU that signaling must tell clients about. */
export type SfuEvents = {
  /** Closed from the SFU side (transport gone, producer gone): the browser must drop it. */
  consumerClosed: [{ roomId: string; peerId: string; consumerId: string; producerId: string }];
  producerClosed: [{ roomId: string; peerId: string; producerId: string }];
  /** A transport's ICE/DTLS failed or closed: the peer needs an ICE restart or a rejoin. */
  transportFailed: [{ roomId: string; peerId: string; transportId: string; state: string }];
  /** The node cannot serve any more (all workers died, shutting down). */
  nodeDown: [{ nodeId: string; reason: string }];
};

/** One SFU node as seen by signaling: in-process today, remote tomorrow. */
export interface SfuControl {
  readonly nodeId: string;
  request<M extends SfuMethod>(method: M, params: SfuRequests[M]['params']): Promise<SfuRequests[M]['result']>;
  on<E extends keyof SfuEvents>(event: E, listener: (...args: SfuEvents[E]) => void): this;
  off<E extends keyof SfuEvents>(event: E, listener: (...args: SfuEvents[E]) => void): this;
}
