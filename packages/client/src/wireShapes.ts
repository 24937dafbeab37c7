import type { ChatMessage, PeerInfo, ProducerInfo } from '@tandem/protocol';
import { isMediaSource } from './publishSettings.js';

/**
 * Shape checks for the parts of server notifications the Room acts on, so a malformed
 * frame is reported and ignored instead of corrupting state.
 */
export function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isPeerInfo(value: unknown): value is PeerInfo {
  return (
    isRecord(value) &&
    isString(value.peerId) &&
    (value.role === 'agent' || value.role === 'customer') &&
    typeof value.displayName === 'string'
  );
}

export function isProducerInfo(value: unknown): value is ProducerInfo {
  return (
    isRecord(value) &&
    isString(value.producerId) &&
    isString(value.peerId) &&
    (value.kind === 'audio' || value.kind === 'video') &&
    isMediaSource(value.source) &&
    typeof value.paused === 'boolean'
  );
}

export function isChatMessage(value: unknown): value is ChatMessage {
  return (
    isRecord(value) &&
    isString(value.messageId) &&
    typeof value.from === 'string' &&
    typeof value.text === 'string' &&
    typeof value.at === 'number'
  );
}
