import type { NetworkInterfaceInfo } from 'node:os';
import type { types } from 'mediasoup';

export interface ListenPlan {
  /** Base port for this worker's server; 0 = any free port. */
  port: number;
  announcedAddress?: string;
  /**
   * Bind only this address (announcing announcedAddress if set, else itself). Lets the
   * node leave the same port free on another address, e.g. for a proxy in front of it.
   */
  listenIp?: string;
  /** os.networkInterfaces() output; injected so the plan is testable. */
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/**
 * Where one WebRtcServer listens. With a listen IP: that address only. With an announced address: the wildcard address,
 * announcing it. Without: each local IPv4 address bound and announced as itself, so a
 * browser on this machine (loopback) and one on the LAN both find a candidate that
 * works, with no configuration.
 */
export function planListenInfos(plan: ListenPlan): types.TransportListenInfo[] {
  const port = plan.port > 0 ? { port: plan.port } : {};
  const both = (ip: string, announcedAddress?: string): types.TransportListenInfo[] =>
    (['udp', 'tcp'] as const).map((protocol) => ({
      protocol,
      ip,
      ...(announcedAddress ? { announcedAddress } : {}),
      ...port,
    }));

  if (plan.listenIp) return both(plan.listenIp, plan.announcedAddress);
  if (plan.announcedAddress) return both('0.0.0.0', plan.announcedAddress);

  const addresses = localIpv4Addresses(plan.interfaces);
  // A host with no interfaces at all still gets loopback, so tests and demos run.
  return (addresses.length > 0 ? addresses : ['127.0.0.1']).flatMap((ip) => both(ip));
}

export function localIpv4Addresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const found = new Set<string>();
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      // Node 18.0-18.3 reported family as a number.
      const isV4 = info.family === 'IPv4' || (info.family as unknown) === 4;
      // Link-local addresses are never reachable by a browser elsewhere.
      if (isV4 && !info.address.startsWith('169.254.')) found.add(info.address);
    }
  }
  return [...found];
}
