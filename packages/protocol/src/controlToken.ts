import { TandemError } from './errors.js';

/**
 * Short-lived tokens for the signaling → SFU control connection: HMAC-SHA256 over a
 * shared secret, via WebCrypto so this stays free of Node-only modules.
 * Format: base64url(JSON {typ, sub, exp}) "." base64url(signature).
 */

// protocol compiles without DOM or Node typings: declare just what is used.
interface HmacKey {
  readonly type: string;
}
interface Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: false, usages: string[]): Promise<HmacKey>;
  sign(algorithm: 'HMAC', key: HmacKey, data: Uint8Array): Promise<ArrayBuffer>;
  verify(algorithm: 'HMAC', key: HmacKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}
interface WebGlobals {
  crypto: { subtle: Subtle };
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: 'utf-8', options: { fatal: true }) => { decode(bytes: Uint8Array): string };
  btoa(binary: string): string;
  atob(base64: string): string;
}
const web = globalThis as unknown as WebGlobals;

/** Tags the payload, so an HMAC made with the same secret for something else never passes. */
const TOKEN_TYPE = 'sfu-control';
export const DEFAULT_CONTROL_TOKEN_TTL_MS = 60_000;
const MAX_TOKEN_CHARS = 1024;
const MAX_SUB_CHARS = 128;

export interface ControlTokenClaims {
  /** Who connects (e.g. the signaling process id); logged by the SFU, never the token. */
  sub: string;
  /** Lifetime from `now`; default 60 s. */
  ttlMs?: number;
}

export interface VerifiedControlToken {
  sub: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

export async function signControlToken(secret: string, claims: ControlTokenClaims, now: number = Date.now()): Promise<string> {
  const ttlMs = claims?.ttlMs ?? DEFAULT_CONTROL_TOKEN_TTL_MS;
  if (typeof claims?.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > MAX_SUB_CHARS) {
    throw new TandemError('BAD_PARAMS', `control token sub must be 1..${MAX_SUB_CHARS} characters`);
  }
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new TandemError('BAD_PARAMS', 'control token ttlMs must be positive');
  const payload = toBase64Url(utf8(JSON.stringify({ typ: TOKEN_TYPE, sub: claims.sub, exp: Math.floor(now + ttlMs) })));
  const signature = await web.crypto.subtle.sign('HMAC', await hmacKey(secret), utf8(payload));
  return `${payload}.${toBase64Url(new Uint8Array(signature))}`;
}

/** Throws TandemError UNAUTHORIZED for anything forged, expired or malformed. */
export async function verifyControlToken(secret: string, token: string, now: number = Date.now()): Promise<VerifiedControlToken> {
  const refuse = (why: string): never => {
    throw new TandemError('UNAUTHORIZED', `control token ${why}`);
  };
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return refuse('malformed');
  const parts = token.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature) return refuse('malformed');
  const signatureBytes = fromBase64Url(signature) ?? refuse('malformed');
  const key = await hmacKey(secret).catch(() => refuse('cannot be checked'));
  // subtle.verify compares in constant time.
  if (!(await web.crypto.subtle.verify('HMAC', key, signatureBytes, utf8(payload)))) return refuse('has a bad signature');
  const claims = decodeClaims(payload) ?? refuse('malformed');
  if (now >= claims.exp) return refuse('expired');
  return claims;
}

function decodeClaims(payload: string): VerifiedControlToken | null {
  try {
    const bytes = fromBase64Url(payload);
    if (!bytes) return null;
    const value = JSON.parse(new web.TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown> | null;
    const { typ, sub, exp } = value ?? {};
    if (typ !== TOKEN_TYPE || typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_CHARS) return null;
    if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return null;
    return { sub, exp };
  } catch {
    return null;
  }
}

async function hmacKey(secret: string): Promise<HmacKey> {
  if (typeof secret !== 'string' || secret.length === 0) throw new TandemError('BAD_PARAMS', 'control secret must not be empty');
  return web.crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function utf8(text: string): Uint8Array {
  return new web.TextEncoder().encode(text);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return web.btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Strict: only the base64url alphabet, no padding, so one token has one spelling. */
function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return null;
  const binary = web.atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return toBase64Url(bytes) === text ? bytes : null;
}
