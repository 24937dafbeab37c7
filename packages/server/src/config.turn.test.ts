import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const SECRET = 'coturn-static-auth-secret-0123456789abcdef';
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/tandem-config-test', ...env }, '/tmp/web');

describe('TURN configuration', () => {
  it('offers no TURN when unset', () => {
    expect(load({}).turn).toBeUndefined();
  });

  it('reads comma-separated URLs, the secret and a 4 h default lifetime', () => {
    const turn = load({ TANDEM_TURN_URLS: 'turn:a:3478?transport=udp, turns:a:5349?transport=tcp', TANDEM_TURN_SECRET: SECRET }).turn;
    expect(turn).toEqual({ urls: ['turn:a:3478?transport=udp', 'turns:a:5349?transport=tcp'], secret: SECRET, ttlS: 14_400 });
    expect(load({ TANDEM_TURN_URLS: 'turn:a', TANDEM_TURN_SECRET: SECRET, TANDEM_TURN_TTL_S: '600' }).turn?.ttlS).toBe(600);
  });

  it('refuses half a setup, bad URLs, short secrets and silly lifetimes, never echoing the secret', () => {
    expect(() => load({ TANDEM_TURN_URLS: 'turn:a' })).toThrow(ConfigError);
    expect(() => load({ TANDEM_TURN_SECRET: SECRET })).toThrow(/go together/);
    expect(() => load({ TANDEM_TURN_URLS: 'stun:a', TANDEM_TURN_SECRET: SECRET })).toThrow(/turn:/);
    expect(() => load({ TANDEM_TURN_URLS: 'turn:a', TANDEM_TURN_SECRET: SECRET, TANDEM_TURN_TTL_S: '10' })).toThrow(/TANDEM_TURN_TTL_S/);
    try {
      load({ TANDEM_TURN_URLS: 'turn:a', TANDEM_TURN_SECRET: 'short-and-secret' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toMatch(/TANDEM_TURN_SECRET/);
      expect(String(error)).not.toContain('short-and-secret');
    }
  });
});
