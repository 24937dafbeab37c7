import type { MessageKey, ShownError } from '../i18n/catalogue.js';
import type { MessageVars } from '../i18n/language.js';
import { reasonOf } from '../ui/errorReason.js';
import type { NodeState, OpsNode } from './OpsTypes.js';

/** A translated cell: a catalogue key and its placeholders, so it follows language switches. */
export interface Text {
  key: MessageKey;
  vars?: MessageVars;
}

export type NodeAction = 'drain' | 'resume';

/** One table row, ready to render. */
export interface NodeView {
  nodeId: string;
  state: NodeState;
  stateText: Text;
  /** The state ops asked for and the node has not taken yet. */
  pending: Text | null;
  age: Text;
  rooms: string;
  peers: string;
  consumers: Text;
  cpu: Text;
  bitrate: Text;
  /** What the operator can do next; a drain already asked for is not asked again. */
  action: NodeAction;
}

const STATE_TEXT: Readonly<Record<NodeState, MessageKey>> = {
  STARTING: 'ops.starting',
  SERVING: 'ops.serving',
  DRAINING: 'ops.draining',
};

const count = (n: number): string => (Number.isFinite(n) ? String(Math.max(0, Math.round(n))) : '0');

export function bitrateText(bps: number): Text {
  const value = Number.isFinite(bps) ? Math.max(0, bps) : 0;
  if (value >= 1_000_000) return { key: 'ops.mbps', vars: { n: (value / 1_000_000).toFixed(value >= 10_000_000 ? 0 : 1) } };
  return { key: 'ops.kbps', vars: { n: String(Math.round(value / 1_000)) } };
}

export function describeNode(node: OpsNode): NodeView {
  const pending = node.requestedState && node.requestedState !== node.state ? node.requestedState : null;
  const target = pending ?? node.state;
  const cpu = Number.isFinite(node.load.cpu) ? Math.min(1, Math.max(0, node.load.cpu)) : 0;
  return {
    nodeId: node.nodeId,
    state: node.state,
    stateText: { key: STATE_TEXT[node.state] ?? 'ops.starting' },
    pending: pending === null ? null : { key: pending === 'DRAINING' ? 'ops.drainRequested' : 'ops.resumeRequested' },
    age: { key: 'ops.age', vars: { s: (Math.max(0, node.ageMs) / 1000).toFixed(1) } },
    rooms: count(node.load.rooms),
    peers: count(node.load.peers),
    consumers: { key: 'ops.consumersOf', vars: { n: count(node.load.consumers), max: count(node.maxConsumers) } },
    cpu: { key: 'ops.percent', vars: { n: String(Math.round(cpu * 100)) } },
    bitrate: bitrateText(node.load.bitrateBps),
    action: target === 'DRAINING' ? 'resume' : 'drain',
  };
}

/**
 * What to tell the operator about a failed call. The list route answers 404 only when
 * the ops API is off; a drain/resume 404 means the node left the cluster meanwhile.
 */
export function opsReason(error: unknown, during: 'list' | 'change'): ShownError {
  const reason = reasonOf(error);
  if (reason === 'UNAUTHORIZED') return 'OPS_TOKEN_REJECTED';
  if (reason === 'NOT_FOUND') return during === 'list' ? 'OPS_DISABLED' : 'OPS_NODE_GONE';
  return reason;
}
