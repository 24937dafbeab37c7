export * from './types.js';
export { seededRandom } from './random.js';
export { ImpairedPath, type PathOptions } from './ImpairedPath.js';
export { UdpImpairmentProxy, type ProxyOptions } from './UdpImpairmentProxy.js';
export { TcpImpairmentProxy } from './TcpImpairmentProxy.js';
export { ImpairedLink, type ImpairedLinkOptions } from './ImpairedLink.js';
export { startImpairedTandem, IMPAIRED_MEDIA_HOST, type ImpairedTandem, type ImpairedTandemOptions } from './impairedTandem.js';
