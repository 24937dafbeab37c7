import { describe, expect, it } from 'vitest';
import type { ServerNotifications } from '@tandem/protocol';
import { CallPeer } from './CallPeer.js';
import { deliverCallEvent } from './deliverCallEvent.js';

type Heard = { method: keyof ServerNotifications; params: unknown };

function peer(peerId: string, connId: string, role: 'agent' | 'customer'): CallPeer & { heard: Heard[] } {
  const heard: Heard[] = [];
  const p = new CallPeer(peerId, connId, 'node-a', role, peerId, {
    seq: 0,
    notify: (method, params) => void heard.push({ method, params }),
    close: () => undefined,
  }, 'send', 'recv', 'resume');
  return Object.assign(p, { heard });
}

const gen = 'node-a.1';

describe('deliverCallEvent', () => {
  it('tells the others, never the sender or the same identity', () => {
    const agent = peer('ada', 'c1', 'agent');
    const customer = peer('chen', 'c2', 'customer');
    const actions = { replace: () => undefined, end: () => undefined, move: () => undefined };
    deliverCallEvent({ type: 'chat', fromConnId: 'c2', message: { messageId: 'm', sessionId: 's', from: 'chen', role: 'customer', displayName: 'Chen', text: 'hi', at: 1 } }, [agent, customer], actions);
    deliverCallEvent({ type: 'producerAdded', gen, producer: { producerId: 'p', peerId: 'chen', kind: 'video', source: 'camera', paused: false } }, [agent, customer], actions);
    deliverCallEvent({ type: 'screenRequested', gen, requestId: 'r', from: { peerId: 'ada', role: 'agent', displayName: 'Ada' } }, [agent, customer], actions);
    deliverCallEvent({ type: 'screenAnswered', gen, requestId: 'r', accepted: true, agentPeerId: 'ada' }, [agent, customer], actions);
    expect(agent.heard.map((h) => h.method)).toEqual(['chatMessage', 'newProducer', 'screenRequestAnswered']);
    expect(customer.heard.map((h) => h.method)).toEqual(['screenRequested']);
  });

  it('replaces an older connection of a rejoining identity and announces the join to the others only', () => {
    const oldConn = peer('chen', 'c-old', 'customer');
    const newConn = peer('chen', 'c-new', 'customer');
    const agent = peer('ada', 'c1', 'agent');
    const replaced: string[] = [];
    deliverCallEvent(
      { type: 'peerJoined', gen, connId: 'c-new', peer: { peerId: 'chen', role: 'customer', displayName: 'Chen' } },
      [oldConn, newConn, agent],
      { replace: (p) => void replaced.push(p.connId), end: () => undefined, move: () => undefined },
    );
    expect(replaced).toEqual(['c-old']);
    expect(agent.heard.map((h) => h.method)).toEqual(['peerJoined']);
    expect(newConn.heard).toEqual([]);
  });

  it('hands the end and the move of the call to the room', () => {
    const calls: string[] = [];
    const actions = { replace: () => undefined, end: (r: string) => void calls.push(`end:${r}`), move: (r: string) => void calls.push(`move:${r}`) };
    deliverCallEvent({ type: 'sessionEnded', reason: 'ended-by-agent' }, [], actions);
    deliverCallEvent({ type: 'callMoved', gen, reason: 'node-lost' }, [], actions);
    expect(calls).toEqual(['end:ended-by-agent', 'move:node-lost']);
  });
});
