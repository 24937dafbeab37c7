import { describe, expect, it } from 'vitest';
import { TandemError } from '@tandem/protocol';
import { DEFAULT_TURN_TTL_S, TurnCredentials, turnRestCredential, turnSettingsProblem } from './TurnCredentials.js';

const SECRET = 'a-turn-secret-that-is-32-chars-long!';
const URLS = ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:5349?transport=tcp'];

describe('TurnCredentials', () => {
  it('matches a vector computed with openssl', () => {
    // printf '%s' '1700003600:peer-42' | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
    expect(turnRestCredential(SECRET, '1700003600:peer-42')).toBe('K/ObjUIPYDDPsuDptwT+H/LTTX4=');
  });

  it('issues `<expiry>:<peerId>` expiring ttl seconds from now, signed with the secret', () => {
    const turn = new TurnCredentials({ urls: URLS, secret: SECRET, ttlS: 3600 }, () => 1_700_000_000_500);
    const [server, ...rest] = turn.issue('peer-42');
    expect(rest).toEqual([]);
    expect(server).toEqual({ urls: URLS, username: '1700003600:peer-42', credential: 'K/ObjUIPYDDPsuDptwT+H/LTTX4=' });
  });

  it('gives each peer and each moment its own credential', () => {
    let now = 1_700_000_000_000;
    const turn = new TurnCredentials({ urls: URLS, secret: SECRET, ttlS: 600 }, () => now);
    const a = turn.issue('a')[0]!;
    const b = turn.issue('b')[0]!;
    now += 5_000;
    const a2 = turn.issue('a')[0]!;
    expect(new Set([a.credential, b.credential, a2.credential]).size).toBe(3);
    expect(a2.username).toBe('1700000605:a');
    const other = new TurnCredentials({ urls: URLS, secret: `${SECRET}x`, ttlS: 600 }, () => now);
    expect(other.issue('a')[0]!.credential).not.toBe(a2.credential);
  });

  it('keeps the username one token whatever the peer id holds', () => {
    const turn = new TurnCredentials({ urls: URLS, secret: SECRET, ttlS: 60 }, () => 0);
    expect(turn.issue('x:y z/é')[0]!.username).toBe('60:x_y_z__');
    expect(turn.issue('')[0]!.username).toBe('60:peer');
    expect(turn.issue('p'.repeat(500))[0]!.username).toHaveLength(3 + 64);
  });

  it('refuses settings coturn could not use, without echoing the secret', () => {
    const ok = { urls: URLS, secret: SECRET, ttlS: DEFAULT_TURN_TTL_S };
    expect(turnSettingsProblem(ok)).toBeNull();
    expect(turnSettingsProblem({ ...ok, urls: [] })).toMatch(/no TURN URL/);
    expect(turnSettingsProblem({ ...ok, urls: ['stun:x:3478'] })).toMatch(/turn:/);
    expect(turnSettingsProblem({ ...ok, urls: ['http://x'] })).toMatch(/turn:/);
    expect(turnSettingsProblem({ ...ok, secret: 'short-secret' })).not.toContain('short-secret');
    expect(turnSettingsProblem({ ...ok, ttlS: 0 })).toMatch(/lifetime/);
    expect(turnSettingsProblem({ ...ok, ttlS: 1.5 })).toMatch(/lifetime/);
    expect(turnSettingsProblem({ ...ok, ttlS: 400_000 })).toMatch(/lifetime/);
    expect(() => new TurnCredentials({ ...ok, secret: 'x' })).toThrow(TandemError);
  });
});
