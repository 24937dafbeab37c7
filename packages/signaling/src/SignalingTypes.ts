import type { Coordinator } from '@tandem/cluster';
import type { Role, SfuControl } from '@tandem/protocol';
import type { SupportDomain } from '@tandem/support';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { CallRooms } from './call/CallRooms.js';
import type { TurnIssuer } from './call/CallRoomTypes.js';
import type { SfuConnector, SfuNodeDirectory } from './sfu-link/SfuNodeDirectory.js';

export interface SignalingConfig {
  /** Identifies this process in logs, metrics and the hello frame. */
  serverId: string;
  /** Built web pages (packages/web/dist); pages are not served when absent. */
  webRoot?: string;
  agentTokenTtlMs: number;
  customerTokenTtlMs: number;
  /** Behind a reverse proxy: trust its X-Forwarded-For for rate limits. */
  trustProxy: boolean;
  /** Join-code redemptions allowed per minute per client address (guessing defence). */
  joinRatePerMinute: number;
  /** Serve this role's peers from another SFU node than the room's origin (diagnostics, tests). */
  pipeRole?: Role | undefined;
  /** How long a dropped peer waits in its call for a resume; default 20 s. */
  resumeGraceMs?: number | undefined;
  /** Bearer token for /ops and /api/ops; unset = ops API disabled. */
  opsToken?: string | undefined;
}

export interface SignalingDeps {
  config: SignalingConfig;
  support: SupportDomain;
  coordinator: Coordinator;
  /** SFU nodes running inside this process (single node, `tandem all`). */
  localSfuNodes: readonly SfuControl[];
  /** Opens control connections to SFU nodes in other processes (cluster); absent = local nodes only. */
  connectSfu?: SfuConnector;
  log: Logger;
  /** Readiness beyond "the process is up" (e.g. the media node is serving). */
  isReady?: () => Promise<boolean>;
  /** TURN credentials for each join (TANDEM_TURN_*); absent = browsers get no TURN server. */
  turn?: TurnIssuer | undefined;
}

/** What routes and sockets share inside the app. */
export interface SignalingServices extends SignalingDeps {
  rooms: CallRooms;
  sfuNodes: SfuNodeDirectory;
  routerRtpCapabilities(): Promise<unknown>;
}
