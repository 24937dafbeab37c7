import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * What the signaling processes serving one call tell each other (coordinator pub/sub,
 * channel per session). Every process delivers them to its own peers, the publisher
 * included, so a notification takes one path whether the peers share a process or not.
 * They are checked on arrival like any other wire message: a stray or damaged one is
 * dropped, never half-applied.
 */
const Str = Type.String({ minLength: 1, maxLength: 256 });
const Role = Type.Union([Type.Literal('agent'), Type.Literal('customer')]);
const PeerInfo = Type.Object({ peerId: Str, role: Role, displayName: Type.String({ maxLength: 200 }) });
const ProducerInfo = Type.Object({
  producerId: Str,
  peerId: Str,
  kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
  source: Type.Union([Type.Literal('mic'), Type.Literal('camera'), Type.Literal('screen')]),
  paused: Type.Boolean(),
});
const ChatMessage = Type.Object(
  { messageId: Str, sessionId: Str, from: Str, role: Type.String(), displayName: Type.String(), text: Type.String(), at: Type.Number() },
  { additionalProperties: true },
);

export const CallEvent = Type.Union([
  Type.Object({ type: Type.Literal('peerJoined'), gen: Str, peer: PeerInfo, connId: Str }),
  Type.Object({ type: Type.Literal('peerLeft'), gen: Str, peerId: Str, connId: Str }),
  Type.Object({ type: Type.Literal('producerAdded'), gen: Str, producer: ProducerInfo }),
  Type.Object({ type: Type.Literal('producerClosed'), gen: Str, producerId: Str, peerId: Str }),
  Type.Object({ type: Type.Literal('producerPaused'), gen: Str, producerId: Str, peerId: Str, paused: Type.Boolean() }),
  Type.Object({ type: Type.Literal('chat'), message: ChatMessage, fromConnId: Str }),
  Type.Object({ type: Type.Literal('screenRequested'), gen: Str, requestId: Str, from: PeerInfo }),
  Type.Object({ type: Type.Literal('screenAnswered'), gen: Str, requestId: Str, accepted: Type.Boolean(), agentPeerId: Str }),
  Type.Object({ type: Type.Literal('sessionEnded'), reason: Type.Union([Type.Literal('ended-by-agent'), Type.Literal('expired'), Type.Literal('server-shutdown')]) }),
  Type.Object({ type: Type.Literal('callMoved'), gen: Str, reason: Type.Union([Type.Literal('node-lost'), Type.Literal('node-draining')]) }),
]);
export type CallEvent = Static<typeof CallEvent>;

const check = TypeCompiler.Compile(CallEvent);

export function readCallEvent(value: unknown): CallEvent | null {
  return check.Check(value) ? value : null;
}

export const callChannel = (sessionId: string): string => `tandem:call:${sessionId}`;
