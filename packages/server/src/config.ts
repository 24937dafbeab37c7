import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_TURN_TTL_S, MAX_TURN_TTL_S, MIN_TURN_SECRET_CHARS, MIN_TURN_TTL_S, turnSettingsProblem, type TurnSettings } from '@tandem/support';

/**
 * Everything configurable comes from the environment, checked once at start with a
 * message that names the variable. Secrets are read here and never logged.
 */
const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  HOST: Type.String({ minLength: 1 }),
  DATA_DIR: Type.String({ minLength: 1 }),
  TANDEM_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  TANDEM_ANNOUNCED_ADDRESS: Type.Optional(Type.String({ minLength: 1 })),
  TANDEM_LISTEN_IP: Type.Optional(Type.String({ minLength: 1 })),
  TANDEM_RTC_PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  TANDEM_WORKERS: Type.Integer({ minimum: 1, maximum: 256 }),
  TANDEM_CODE_TTL_MIN: Type.Number({ exclusiveMinimum: 0, maximum: 7 * 24 * 60 }),
  TANDEM_NODE_ID: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
  TANDEM_TRUST_PROXY: Type.Boolean(),
  TANDEM_MAX_CONSUMERS: Type.Integer({ minimum: 1 }),
  TANDEM_JOIN_RATE_PER_MIN: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  MEDIASOUP_WORKER_BIN: Type.Optional(Type.String({ minLength: 1 })),
  TANDEM_WEB_ROOT: Type.Optional(Type.String({ minLength: 1 })),
  TANDEM_AGENT_EMAIL: Type.Optional(Type.String({ minLength: 3 })),
  TANDEM_AGENT_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
  TANDEM_AGENT_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  TANDEM_CLUSTER_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  TANDEM_CONTROL_URL: Type.Optional(Type.String({ pattern: '^wss?://' })),
  TANDEM_CONTROL_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  TANDEM_PIPE_LISTEN_IP: Type.String({ minLength: 1 }),
  TANDEM_PIPE_ANNOUNCED_ADDRESS: Type.Optional(Type.String({ minLength: 1 })),
  TANDEM_DRAIN_DEADLINE_S: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 3600 }),
  TANDEM_RESUME_GRACE_S: Type.Number({ exclusiveMinimum: 0, maximum: 600 }),
  TANDEM_OPS_TOKEN: Type.Optional(Type.String({ minLength: 24 })),
  TANDEM_PIPE_ROLE: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('customer')])),
  TANDEM_TURN_URLS: Type.Optional(Type.String({ minLength: 1 })),
  TANDEM_TURN_SECRET: Type.Optional(Type.String({ minLength: MIN_TURN_SECRET_CHARS })),
  TANDEM_TURN_TTL_S: Type.Integer({ minimum: MIN_TURN_TTL_S, maximum: MAX_TURN_TTL_S }),
});
type Env = Static<typeof Env>;

export interface TandemConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Undefined: a per-installation secret is generated into DATA_DIR (single node only). */
  secret: string | undefined;
  announcedAddress: string | undefined;
  /** Set: the media ports bind this address only (e.g. to leave room for a proxy on another). */
  listenIp: string | undefined;
  rtcPort: number;
  workers: number;
  codeTtlMs: number;
  nodeId: string;
  trustProxy: boolean;
  maxConsumers: number;
  joinRatePerMinute: number;
  logLevel: Env['LOG_LEVEL'];
  workerBin: string | undefined;
  webRoot: string;
  bootstrapAgent: { email: string; password: string; displayName: string } | undefined;
  /** Set = cluster mode: Redis coordinates and stores; unset = single node. */
  redisUrl: string | undefined;
  /** Signs the short-lived tokens of the signaling → SFU control connection. */
  clusterSecret: string | undefined;
  /** How signaling reaches this process's SFU node (sfu role, or all in a cluster). */
  controlUrl: string | undefined;
  /** Where the `all` role serves its SFU control endpoint in a cluster (the sfu role uses PORT). */
  controlPort: number | undefined;
  pipeListenIp: string;
  pipeAnnouncedAddress: string | undefined;
  drainDeadlineMs: number;
  /** How long a peer whose signaling socket dropped stays in its call, waiting to be resumed. */
  resumeGraceMs: number;
  opsToken: string | undefined;
  pipeRole: 'agent' | 'customer' | undefined;
  /** TURN relay for browsers that cannot reach the SFU directly; undefined = none offered. */
  turn: TurnSettings | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const check = TypeCompiler.Compile(Env);

export function loadConfig(env: NodeJS.ProcessEnv, defaultWebRoot: string): TandemConfig {
  const num = (name: string, fallback: number): number | string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  };
  const bool = (name: string): boolean | string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return false;
    return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  };
  const opt = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const candidate = {
    PORT: num('PORT', 3000),
    HOST: opt('HOST') ?? '0.0.0.0',
    DATA_DIR: opt('DATA_DIR') ?? './data',
    TANDEM_SECRET: opt('TANDEM_SECRET'),
    TANDEM_ANNOUNCED_ADDRESS: opt('TANDEM_ANNOUNCED_ADDRESS'),
    TANDEM_LISTEN_IP: opt('TANDEM_LISTEN_IP'),
    TANDEM_RTC_PORT: num('TANDEM_RTC_PORT', 40000),
    TANDEM_WORKERS: num('TANDEM_WORKERS', availableParallelism()),
    TANDEM_CODE_TTL_MIN: num('TANDEM_CODE_TTL_MIN', 30),
    // Unique per process in a cluster: the host name plus the port is, without any setup.
    TANDEM_NODE_ID: opt('TANDEM_NODE_ID') ?? (opt('REDIS_URL') ? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 48)}-${env.PORT ?? 3000}` : 'node-1'),
    TANDEM_TRUST_PROXY: bool('TANDEM_TRUST_PROXY'),
    TANDEM_MAX_CONSUMERS: num('TANDEM_MAX_CONSUMERS', 2000),
    TANDEM_JOIN_RATE_PER_MIN: num('TANDEM_JOIN_RATE_PER_MIN', 30),
    LOG_LEVEL: opt('LOG_LEVEL') ?? 'info',
    MEDIASOUP_WORKER_BIN: opt('MEDIASOUP_WORKER_BIN'),
    TANDEM_WEB_ROOT: opt('TANDEM_WEB_ROOT'),
    TANDEM_AGENT_EMAIL: opt('TANDEM_AGENT_EMAIL'),
    TANDEM_AGENT_PASSWORD: opt('TANDEM_AGENT_PASSWORD'),
    TANDEM_AGENT_NAME: opt('TANDEM_AGENT_NAME'),
    REDIS_URL: opt('REDIS_URL'),
    TANDEM_CLUSTER_SECRET: opt('TANDEM_CLUSTER_SECRET'),
    TANDEM_CONTROL_URL: opt('TANDEM_CONTROL_URL'),
    TANDEM_CONTROL_PORT: env.TANDEM_CONTROL_PORT ? num('TANDEM_CONTROL_PORT', 0) : undefined,
    TANDEM_PIPE_LISTEN_IP: opt('TANDEM_PIPE_LISTEN_IP') ?? '127.0.0.1',
    TANDEM_PIPE_ANNOUNCED_ADDRESS: opt('TANDEM_PIPE_ANNOUNCED_ADDRESS'),
    TANDEM_DRAIN_DEADLINE_S: num('TANDEM_DRAIN_DEADLINE_S', 300),
    TANDEM_RESUME_GRACE_S: num('TANDEM_RESUME_GRACE_S', 20),
    TANDEM_OPS_TOKEN: opt('TANDEM_OPS_TOKEN'),
    TANDEM_PIPE_ROLE: opt('TANDEM_PIPE_ROLE'),
    TANDEM_TURN_URLS: opt('TANDEM_TURN_URLS'),
    TANDEM_TURN_SECRET: opt('TANDEM_TURN_SECRET'),
    TANDEM_TURN_TTL_S: num('TANDEM_TURN_TTL_S', DEFAULT_TURN_TTL_S),
  };
  for (const key of Object.keys(candidate) as (keyof typeof candidate)[]) {
    if (candidate[key] === undefined) delete candidate[key];
  }
  if (!check.Check(candidate)) {
    const problems = [...check.Errors(candidate)].slice(0, 5).map((e) => {
      const name = e.path.replace(/^\//, '');
      // Never echo a secret's value back, even a wrong one.
      const shown = /SECRET|PASSWORD|TOKEN|REDIS_URL/.test(name) ? '' : ` (got ${JSON.stringify(e.value)})`;
      return `${name}: ${e.message}${shown}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = candidate as Env;
  if (Boolean(e.TANDEM_AGENT_EMAIL) !== Boolean(e.TANDEM_AGENT_PASSWORD)) {
    throw new ConfigError('TANDEM_AGENT_EMAIL and TANDEM_AGENT_PASSWORD go together');
  }
  if (e.REDIS_URL && !e.TANDEM_CLUSTER_SECRET) {
    // Every process of a cluster must agree on it; nothing may be generated per process.
    throw new ConfigError('with REDIS_URL set, TANDEM_CLUSTER_SECRET must be set (the same on every process)');
  }
  const turn = turnSettings(e);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.DATA_DIR),
    secret: e.TANDEM_SECRET,
    announcedAddress: e.TANDEM_ANNOUNCED_ADDRESS,
    listenIp: e.TANDEM_LISTEN_IP,
    rtcPort: e.TANDEM_RTC_PORT,
    workers: e.TANDEM_WORKERS,
    codeTtlMs: e.TANDEM_CODE_TTL_MIN * 60_000,
    nodeId: e.TANDEM_NODE_ID,
    trustProxy: e.TANDEM_TRUST_PROXY,
    maxConsumers: e.TANDEM_MAX_CONSUMERS,
    joinRatePerMinute: e.TANDEM_JOIN_RATE_PER_MIN,
    logLevel: e.LOG_LEVEL,
    workerBin: e.MEDIASOUP_WORKER_BIN,
    webRoot: resolve(e.TANDEM_WEB_ROOT ?? defaultWebRoot),
    bootstrapAgent:
      e.TANDEM_AGENT_EMAIL && e.TANDEM_AGENT_PASSWORD
        ? { email: e.TANDEM_AGENT_EMAIL, password: e.TANDEM_AGENT_PASSWORD, displayName: e.TANDEM_AGENT_NAME ?? e.TANDEM_AGENT_EMAIL.split('@')[0]! }
        : undefined,
    redisUrl: e.REDIS_URL,
    clusterSecret: e.TANDEM_CLUSTER_SECRET,
    controlUrl: e.TANDEM_CONTROL_URL,
    controlPort: e.TANDEM_CONTROL_PORT,
    pipeListenIp: e.TANDEM_PIPE_LISTEN_IP,
    pipeAnnouncedAddress: e.TANDEM_PIPE_ANNOUNCED_ADDRESS,
    drainDeadlineMs: e.TANDEM_DRAIN_DEADLINE_S * 1000,
    resumeGraceMs: e.TANDEM_RESUME_GRACE_S * 1000,
    opsToken: e.TANDEM_OPS_TOKEN,
    pipeRole: e.TANDEM_PIPE_ROLE,
    turn,
  };
}

/** TANDEM_TURN_URLS and TANDEM_TURN_SECRET come together: half a TURN setup is a mistake, not a default. */
function turnSettings(e: Env): TurnSettings | undefined {
  if (!e.TANDEM_TURN_URLS && !e.TANDEM_TURN_SECRET) return undefined;
  if (!e.TANDEM_TURN_URLS || !e.TANDEM_TURN_SECRET) {
    throw new ConfigError('TANDEM_TURN_URLS and TANDEM_TURN_SECRET go together (the secret is coturn\'s static-auth-secret)');
  }
  const settings = {
    urls: e.TANDEM_TURN_URLS.split(',').map((u) => u.trim()).filter((u) => u !== ''),
    secret: e.TANDEM_TURN_SECRET,
    ttlS: e.TANDEM_TURN_TTL_S,
  };
  const problem = turnSettingsProblem(settings);
  if (problem) throw new ConfigError(`TANDEM_TURN_*: ${problem}`);
  return settings;
}

/** Signaling processes of one cluster must verify each other's tokens: one TANDEM_SECRET for all. */
export function requireSharedTokenSecret(config: TandemConfig): void {
  if (config.redisUrl && !config.secret) {
    throw new ConfigError('with REDIS_URL set, TANDEM_SECRET must be set (the same on every signaling process)');
  }
}
