export * from './SfuNodeTypes.js';
export { SfuNode, createSfuNode } from './SfuNode.js';
export { ROUTER_CODECS, consumerPriority } from './codecs.js';
export { planListenInfos, localIpv4Addresses, type ListenPlan } from './listenInfos.js';
export { toTandemError } from './mediaErrors.js';
export { SfuControlServer, type SfuControlServerOptions } from './SfuControlServer.js';
