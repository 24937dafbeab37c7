/**
 * Public types of an SFU node. Everything a caller passes in or gets back is plain
 * data, because the same requests will later cross a control connection.
 */
import type { MediaSource, PipeEndpoint, ProducerInfo, SfuControl, SfuNodeStats } from '@tandem/protocol';

/** pino-compatible: a pino logger fits as is. */
export interface SfuLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export type SfuLogLevel = 'debug' | 'warn' | 'error' | 'none';

export interface SfuNodeOptions {
  nodeId: string;
  /** Worker processes; default os.availableParallelism(). */
  numWorkers?: number;
  /** mediasoup-worker binary; default env MEDIASOUP_WORKER_BIN, then mediasoup's own build path. */
  workerBin?: string;
  /** Log level inside the worker processes; default 'warn'. */
  logLevel?: SfuLogLevel;
  /**
   * Base port of the WebRtcServers: worker i listens on rtcPort+i, UDP and TCP.
   * 0 lets the OS pick free ports (tests). Default 40000.
   */
  rtcPort?: number;
  /**
   * Public address put in ICE candidates. When set, the node listens on 0.0.0.0 and
   * announces it. When unset, it listens on every local IPv4 address (loopback
   * included) and announces each as itself: works on localhost and on the LAN.
   */
  announcedAddress?: string;
  /**
   * Bind the WebRtcServers to this address only (announcing announcedAddress, or this
   * address if unset). Default: as described for announcedAddress. Used to put a proxy
   * (e.g. a network impairment harness) on the same port of another address.
   */
  listenIp?: string;
  /** Ceiling on what one browser may send us, bits/s; default 5 Mbps. */
  maxIncomingBitrate?: number;
  /** How long ICE may stay 'disconnected' before transportFailed; default 5000 ms. */
  iceDisconnectGraceMs?: number;
  /** Where plain (RTP) transports listen; default 127.0.0.1. */
  plainListenIp?: string;
  /**
   * Where pipe transports to other SFU nodes listen; default plainListenIp. Pipes
   * carry plain RTP, so this should be a private, cluster-internal address.
   */
  pipeListenIp?: string;
  /** Address other nodes send pipe RTP to, if not pipeListenIp (NAT); default announcedAddress. */
  pipeAnnouncedAddress?: string;
  logger?: SfuLogger;
}

/** Owner of a transport: a peer's send or recv side, or a plain RTP endpoint doing both. */
export type TransportRole = 'send' | 'recv' | 'plain';

/** What producers and consumers carry in appData, so stats and logs can name them. */
export interface MediaAppData {
  [key: string]: unknown;
  peerId: string;
  source: MediaSource;
}

export interface PlainTransportRequest {
  /** Pseudo peer owning the transport (e.g. 'recorder'); produce/consume use it. */
  peerId: string;
  /** Learn the remote address from the first packet received (ingest). Default false. */
  comedia?: boolean;
  /** RTP and RTCP on one port. Default true. */
  rtcpMux?: boolean;
}

export interface PlainTransportInfo {
  transportId: string;
  /** Where to send RTP to (and, with comedia, the only thing the sender needs). */
  ip: string;
  port: number;
  /** Set only when rtcpMux is false. */
  rtcpPort?: number;
}

export interface PlainTransportRemote {
  ip: string;
  port: number;
  rtcpPort?: number;
}

/** Summary of one producer: the same shape signaling sends to clients. */
export type { ProducerInfo } from '@tandem/protocol';

/** One pipe of a room towards another SFU node (ops and tests). */
export interface PipeInfo extends PipeEndpoint {
  remoteNodeId: string;
  /** Where it sends, once connectPipe was called. */
  remote?: { ip: string; port: number };
  /** Local producers sent down this pipe (one pipe consumer each). */
  pipedOut: string[];
  /** Producers re-created here from this pipe. */
  pipedIn: string[];
}

/** The SFU node: the SfuControl requests plus a few in-process extras. */
export interface SfuNodeApi extends SfuControl {
  /** Opens an RTP endpoint in a room, for ingest/egress (recording, SIP, tests). */
  createPlainTransport(roomId: string, request: PlainTransportRequest): Promise<PlainTransportInfo>;
  /** Tells a plain transport where to send (not needed for a comedia ingest). */
  connectPlainTransport(roomId: string, transportId: string, remote: PlainTransportRemote): Promise<void>;
  /**
   * Closes a room's pipe towards a node (it died or left the room): its piped-in
   * producers close and are reported as producerClosed; its pipe consumers go too.
   */
  closePipe(roomId: string, remoteNodeId: string): Promise<void>;
  listPipes(roomId: string): Promise<PipeInfo[]>;
  /** Local and piped-in producers alike. */
  listProducers(roomId: string): ProducerInfo[];
  nodeStats(): Promise<SfuNodeStats>;
  /** Worker process ids (ops and tests). */
  workerPids(): number[];
  /** Closes every room and worker; resolves once the worker processes are gone. */
  close(): Promise<void>;
  readonly closed: boolean;
}
