import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { planListenInfos } from './listenInfos.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;

const host = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6')],
  wlan0: [iface('169.254.3.4', 'IPv4')],
};

describe('planListenInfos', () => {
  it('with an announced address, listens on the wildcard and announces it, UDP and TCP on one port', () => {
    const infos = planListenInfos({ port: 44000, announcedAddress: 'sfu.example.com', interfaces: host });
    expect(infos).toEqual([
      { protocol: 'udp', ip: '0.0.0.0', announcedAddress: 'sfu.example.com', port: 44000 },
      { protocol: 'tcp', ip: '0.0.0.0', announcedAddress: 'sfu.example.com', port: 44000 },
    ]);
  });

  it('without one, binds every usable local IPv4 address (loopback included) on the same port', () => {
    const infos = planListenInfos({ port: 44001, interfaces: host });
    const pairs = infos.map((i) => `${i.protocol} ${i.ip}:${i.port}`).sort();
    expect(pairs).toEqual(['tcp 127.0.0.1:44001', 'tcp 192.168.1.20:44001', 'udp 127.0.0.1:44001', 'udp 192.168.1.20:44001']);
    // Each address is announced as itself (nothing to rewrite), and IPv6/link-local are left out.
    expect(infos.every((i) => i.announcedAddress === undefined)).toBe(true);
  });

  it('port 0 leaves the port to the OS, and a host without interfaces still gets loopback', () => {
    const infos = planListenInfos({ port: 0, interfaces: {} });
    expect(infos).toEqual([
      { protocol: 'udp', ip: '127.0.0.1' },
      { protocol: 'tcp', ip: '127.0.0.1' },
    ]);
  });

  it('with a listen IP, binds only that address and announces the announced address', () => {
    const infos = planListenInfos({ port: 44002, listenIp: '127.0.0.1', announcedAddress: '127.0.0.2', interfaces: host });
    expect(infos).toEqual([
      { protocol: 'udp', ip: '127.0.0.1', announcedAddress: '127.0.0.2', port: 44002 },
      { protocol: 'tcp', ip: '127.0.0.1', announcedAddress: '127.0.0.2', port: 44002 },
    ]);
  });

  it('with a listen IP and no announced address, announces the listen IP as itself', () => {
    const infos = planListenInfos({ port: 0, listenIp: '192.168.1.20', interfaces: host });
    expect(infos).toEqual([
      { protocol: 'udp', ip: '192.168.1.20' },
      { protocol: 'tcp', ip: '192.168.1.20' },
    ]);
  });
});
