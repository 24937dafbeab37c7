import type { CallMoveReason, ChatMessage, ServerNotifications, SessionEndReason } from '@tandem/protocol';
import type { CallEvent } from './CallEvents.js';
import type { CallPeer } from './CallPeer.js';

export interface CallEventActions {
  /** A newer connection of this peer's identity joined (here or in another process). */
  replace(peer: CallPeer): void;
  end(reason: SessionEndReason): void;
  move(reason: CallMoveReason): void;
}

/**
 * Who among this process's peers hears what, for one call event. The sender never
 * hears its own action back (it has the reply); an identity never hears about itself.
 */
export function deliverCallEvent(event: CallEvent, local: readonly CallPeer[], actions: CallEventActions): void {
  const except = (peerId: string): CallPeer[] => local.filter((p) => p.peerId !== peerId);
  switch (event.type) {
    case 'peerJoined':
      for (const peer of local) {
        if (peer.peerId !== event.peer.peerId) peer.link.notify('peerJoined', { peer: event.peer });
        else if (peer.connId !== event.connId) actions.replace(peer);
      }
      return;
    case 'peerLeft':
      return notify(except(event.peerId), 'peerLeft', { peerId: event.peerId });
    case 'producerAdded':
      return notify(except(event.producer.peerId), 'newProducer', { producer: event.producer });
    case 'producerClosed':
      return notify(except(event.peerId), 'producerClosed', { producerId: event.producerId, peerId: event.peerId });
    case 'producerPaused':
      return notify(except(event.peerId), event.paused ? 'producerPaused' : 'producerResumed', {
        producerId: event.producerId,
        peerId: event.peerId,
      });
    case 'chat':
      return notify(local.filter((p) => p.connId !== event.fromConnId), 'chatMessage', { message: event.message as ChatMessage });
    case 'screenRequested':
      return notify(local.filter((p) => p.role === 'customer'), 'screenRequested', { requestId: event.requestId, from: event.from });
    case 'screenAnswered':
      return notify(local.filter((p) => p.peerId === event.agentPeerId), 'screenRequestAnswered', {
        requestId: event.requestId,
        accepted: event.accepted,
      });
    case 'sessionEnded':
      return actions.end(event.reason);
    case 'callMoved':
      return actions.move(event.reason);
  }
}

function notify<M extends keyof ServerNotifications>(peers: readonly CallPeer[], method: M, params: ServerNotifications[M]): void {
  for (const peer of peers) peer.link.notify(method, params);
}
