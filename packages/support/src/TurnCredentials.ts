import { createHmac } from 'node:crypto';
import { TandemError, type IceServer } from '@tandem/protocol';
import { systemClock, type Clock } from './SupportTypes.js';

/** coturn's static-auth-secret: as long as our other signing secrets. */
export const MIN_TURN_SECRET_CHARS = 32;
/**
 * 4 h, the lifetime of a customer's call token. coturn checks the expiry on every
 * authenticated request, including the Refresh that keeps an allocation alive, and a
 * browser cannot swap credentials on a running transport: the credential must outlive
 * the longest call on one join. A rejoin gets fresh ones.
 */
export const DEFAULT_TURN_TTL_S = 4 * 3600;
/** Longer-lived credentials are just shared passwords with extra steps. */
export const MAX_TURN_TTL_S = 24 * 3600;
export const MIN_TURN_TTL_S = 60;

export interface TurnSettings {
  /** turn: / turns: URLs handed to browsers as they are. */
  urls: readonly string[];
  /** The same value as coturn's `static-auth-secret` (with `use-auth-secret`). */
  secret: string;
  ttlS: number;
}

const TURN_URL = /^turns?:[^\s,]+$/;

/** Why settings cannot be used, or null when they can; names no secret. */
export function turnSettingsProblem(settings: TurnSettings): string | null {
  if (settings.urls.length === 0) return 'no TURN URL';
  const bad = settings.urls.find((u) => !TURN_URL.test(u));
  if (bad !== undefined) return `not a turn:/turns: URL: ${JSON.stringify(bad)}`;
  if (typeof settings.secret !== 'string' || settings.secret.length < MIN_TURN_SECRET_CHARS) {
    return `the TURN secret needs at least ${MIN_TURN_SECRET_CHARS} characters`;
  }
  if (!Number.isInteger(settings.ttlS) || settings.ttlS < MIN_TURN_TTL_S || settings.ttlS > MAX_TURN_TTL_S) {
    return `the TURN credential lifetime must be whole seconds in ${MIN_TURN_TTL_S}..${MAX_TURN_TTL_S}`;
  }
  return null;
}

/** base64(HMAC-SHA1(secret, username)): the TURN REST API draft, as coturn's use-auth-secret checks it. */
export function turnRestCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Issues time-limited TURN credentials (TURN REST API style) for one peer. The signaling
 * service calls it only after it has verified the caller's call token, so the relay is
 * usable only by people in a call, and only until the expiry in the username.
 * Credentials are returned to the caller and never logged.
 */
export class TurnCredentials {
  readonly #urls: string[];
  readonly #secret: string;
  readonly #ttlS: number;
  readonly #now: Clock;

  constructor(settings: TurnSettings, now: Clock = systemClock) {
    const problem = turnSettingsProblem(settings);
    if (problem) throw new TandemError('BAD_PARAMS', problem);
    this.#urls = [...settings.urls];
    this.#secret = settings.secret;
    this.#ttlS = settings.ttlS;
    this.#now = now;
  }

  get ttlS(): number {
    return this.#ttlS;
  }

  /** One ICE server entry for `peerId`, valid for the configured lifetime from now. */
  issue(peerId: string): IceServer[] {
    const expiry = Math.floor(this.#now() / 1000) + this.#ttlS;
    // coturn reads the expiry up to the first ':'; keep the id to a plain alphabet so the
    // username stays one token in its logs and can never carry a second separator.
    const who = peerId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'peer';
    const username = `${expiry}:${who}`;
    return [{ urls: [...this.#urls], username, credential: turnRestCredential(this.#secret, username) }];
  }
}
