import { TandemError } from '@tandem/protocol';
import type { SfuNodeHeartbeat, SfuNodeRecord, SfuNodeState } from './CoordinatorTypes.js';

/**
 * Shape checks for what enters a coordinator: heartbeats and ids from callers, node
 * records read back from Redis (where anyone with access could have written garbage).
 */
const NODE_STATES: readonly SfuNodeState[] = ['STARTING', 'SERVING', 'DRAINING'];
const MAX_ID_LENGTH = 200;
/** Roster values are small JSON documents; this bounds what one bad caller can store. */
const MAX_ROSTER_VALUE_LENGTH = 64 * 1024;

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;

/** A copy holding only the known fields, or null when anything is missing or malformed. */
function heartbeatOf(value: unknown): SfuNodeHeartbeat | null {
  if (!isObject(value) || !isObject(value.load)) return null;
  const { nodeId, controlUrl, state, maxConsumers, load } = value;
  if (!isId(nodeId) || typeof controlUrl !== 'string' || !isCount(maxConsumers)) return null;
  if (typeof state !== 'string' || !NODE_STATES.includes(state as SfuNodeState)) return null;
  const { rooms, peers, consumers, cpu, bitrateBps } = load;
  if (![rooms, peers, consumers, cpu, bitrateBps].every(isCount)) return null;
  return {
    nodeId,
    controlUrl,
    state: state as SfuNodeState,
    maxConsumers,
    load: {
      rooms: rooms as number,
      peers: peers as number,
      consumers: consumers as number,
      cpu: cpu as number,
      bitrateBps: bitrateBps as number,
    },
  };
}

export function checkHeartbeat(value: unknown): SfuNodeHeartbeat {
  const heartbeat = heartbeatOf(value);
  if (!heartbeat) throw new TandemError('BAD_PARAMS', 'malformed node heartbeat');
  return heartbeat;
}

/** A stored node record, or null if it is garbage or filed under another node's id. */
export function parseNodeRecord(nodeId: string, raw: string): SfuNodeRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const heartbeat = heartbeatOf(value);
  if (!heartbeat || heartbeat.nodeId !== nodeId || !isObject(value) || !isCount(value.updatedAt)) return null;
  return { ...heartbeat, updatedAt: value.updatedAt };
}

export function checkId(what: string, value: unknown): string {
  if (!isId(value)) throw new TandemError('BAD_PARAMS', `${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  return value;
}

export function checkRequestedState(value: unknown): 'SERVING' | 'DRAINING' {
  if (value !== 'SERVING' && value !== 'DRAINING') throw new TandemError('BAD_PARAMS', 'requested state must be SERVING or DRAINING');
  return value;
}

export function checkRosterValue(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_ROSTER_VALUE_LENGTH) {
    throw new TandemError('BAD_PARAMS', `roster value must be a string of at most ${MAX_ROSTER_VALUE_LENGTH} characters`);
  }
  return value;
}

export function checkChannel(value: unknown): string {
  return checkId('channel', value);
}

/** Pub/sub messages travel as JSON; refuse what JSON cannot carry rather than send `undefined`. */
export function encodeMessage(message: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw new TandemError('BAD_PARAMS', 'message must be JSON-serialisable');
  return text;
}
