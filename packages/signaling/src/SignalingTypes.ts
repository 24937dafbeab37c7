import type { Coordinator } from '@tandem/cluster';
import type { SfuControl } from '@tandem/protocol';
import type { SupportDomain } from '@tandem/support';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { CallRooms } from './call/CallRooms.js';

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
}

export interface SignalingDeps {
  config: SignalingConfig;
  support: SupportDomain;
  coordinator: Coordinator;
  /** SFU nodes this process can reach, by node id. */
  sfuNodes: ReadonlyMap<string, SfuControl>;
  log: Logger;
  /** Readiness beyond "the process is up" (e.g. the media node is serving). */
  isReady?: () => Promise<boolean>;
}

/** What routes and sockets share inside the app. */
export interface SignalingServices extends SignalingDeps {
  rooms: CallRooms;
  routerRtpCapabilities(): Promise<unknown>;
}
