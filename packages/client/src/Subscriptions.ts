import type { ProducerInfo } from '@tandem/protocol';
import type { types } from 'mediasoup-client';
import type { PlayoutReceiver } from './AudioPlayout.js';
import type { CallLink } from './CallLink.js';
import { RoomError, type RemoteTrack, type RoomErrorReason } from './RoomTypes.js';

export interface SubscriptionEvents {
  subscribed(track: RemoteTrack): void;
  unsubscribed(track: RemoteTrack): void;
  muteChanged(track: RemoteTrack): void;
  error(error: RoomError): void;
}

/**
 * Everything this peer receives: the remote producers the server announced and the tracks
 * consumed from them. `tracks` is keyed by consumer id.
 */
export class Subscriptions {
  readonly tracks = new Map<string, RemoteTrack>();
  readonly #consumers = new Map<string, types.Consumer>();
  /** Producers announced on the current link; the truth an in-flight consume is checked against. */
  readonly #producers = new Map<string, ProducerInfo>();
  readonly #events: SubscriptionEvents;
  #link: CallLink | null = null;

  constructor(events: SubscriptionEvents) {
    this.#events = events;
  }

  /** Adopts a new link and consumes everything it already has. */
  attach(link: CallLink, producers: readonly ProducerInfo[]): void {
    this.#link = link;
    for (const producer of producers) this.add(producer);
  }

  add(producer: ProducerInfo): void {
    const link = this.#link;
    if (!link || this.#producers.has(producer.producerId)) return;
    if (producer.peerId === link.join.peerId) return; // never receive our own media
    this.#producers.set(producer.producerId, { ...producer });
    void this.#consume(link, producer.producerId);
  }

  removeProducer(producerId: string): void {
    this.#producers.delete(producerId);
    for (const track of this.tracks.values()) {
      if (track.producerId === producerId) this.#drop(track.consumerId);
    }
  }

  removeConsumer(consumerId: string): void {
    const track = this.tracks.get(consumerId);
    if (track) this.#producers.delete(track.producerId);
    this.#drop(consumerId);
  }

  removePeer(peerId: string): void {
    for (const producer of [...this.#producers.values()]) {
      if (producer.peerId === peerId) this.removeProducer(producer.producerId);
    }
  }

  setPaused(producerId: string, paused: boolean): void {
    const producer = this.#producers.get(producerId);
    if (producer) producer.paused = paused;
    for (const track of this.tracks.values()) {
      if (track.producerId !== producerId || track.paused === paused) continue;
      track.paused = paused;
      this.#events.muteChanged(track);
    }
  }

  /** Forgets the link: every remote track is closed and reported unsubscribed. */
  detach(): void {
    this.#link = null;
    this.#producers.clear();
    for (const consumerId of [...this.tracks.keys()]) this.#drop(consumerId);
  }

  /** The remote voices, for the lossy-link playout policy. */
  audioReceivers(): PlayoutReceiver[] {
    return [...this.#consumers.values()]
      .filter((consumer) => consumer.kind === 'audio' && !consumer.closed)
      .map((consumer) => ({
        id: consumer.id,
        async samples() {
          let found: { concealed: number; received: number } | null = null;
          (await consumer.getStats()).forEach((stat: { type?: string; concealedSamples?: number; totalSamplesReceived?: number }) => {
            if (stat.type === 'inbound-rtp') found = { concealed: stat.concealedSamples ?? 0, received: stat.totalSamplesReceived ?? 0 };
          });
          return found;
        },
        setTargetMs(ms) {
          // jitterBufferTarget: Chrome 114+, Safari; elsewhere the browser keeps its own choice.
          const receiver = consumer.rtpReceiver as (RTCRtpReceiver & { jitterBufferTarget?: number | null }) | undefined;
          if (receiver && 'jitterBufferTarget' in receiver) receiver.jitterBufferTarget = ms;
        },
      }));
  }

  async inboundVideoStats(): Promise<Map<string, RTCInboundRtpStreamStats>> {
    const result = new Map<string, RTCInboundRtpStreamStats>();
    await Promise.all(
      [...this.#consumers].map(async ([consumerId, consumer]) => {
        if (consumer.kind !== 'video' || consumer.closed) return;
        try {
          const report = await consumer.getStats();
          report.forEach((stat: { type?: string }) => {
            if (stat.type === 'inbound-rtp') result.set(consumerId, stat as RTCInboundRtpStreamStats);
          });
        } catch {
          // A consumer closing meanwhile simply has no stats.
        }
      }),
    );
    return result;
  }

  async #consume(link: CallLink, producerId: string, attempt = 1): Promise<void> {
    let consumed: Awaited<ReturnType<CallLink['consume']>>;
    try {
      consumed = await link.consume(producerId);
    } catch (error) {
      if (this.#link !== link || !this.#producers.has(producerId)) return; // gone meanwhile: nothing lost
      const reason = asRoomError(error, `cannot receive producer ${producerId}`);
      // A media node busy moving or a pipe being wired can fail once; a picture lost for good
      // is worse than a retry. Errors that say the producer is not there are final.
      if (attempt < CONSUME_ATTEMPTS && RETRYABLE.has(reason.reason)) {
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
        return this.#consume(link, producerId, attempt + 1);
      }
      this.#producers.delete(producerId);
      this.#events.error(reason);
      return;
    }
    const { consumer, info } = consumed;
    const producer = this.#producers.get(producerId);
    // The producer may have closed, or the link dropped, while the consume was in flight.
    if (this.#link !== link || !producer) {
      consumer.close();
      return;
    }
    const track: RemoteTrack = {
      peerId: info.peerId,
      producerId,
      consumerId: consumer.id,
      source: info.source,
      kind: info.kind,
      track: consumer.track,
      paused: producer.paused,
    };
    this.#consumers.set(consumer.id, consumer);
    this.tracks.set(consumer.id, track);
    this.#events.subscribed(track);
  }

  #drop(consumerId: string): void {
    const track = this.tracks.get(consumerId);
    this.#consumers.get(consumerId)?.close();
    this.#consumers.delete(consumerId);
    if (!track) return;
    this.tracks.delete(consumerId);
    this.#events.unsubscribed(track);
  }
}

const CONSUME_ATTEMPTS = 4;
const RETRYABLE: ReadonlySet<RoomErrorReason> = new Set<RoomErrorReason>(['NODE_UNAVAILABLE', 'NO_CAPACITY', 'COORDINATION_UNAVAILABLE', 'MEDIA_ERROR', 'INTERNAL', 'RATE_LIMITED']);

export function asRoomError(error: unknown, context: string): RoomError {
  if (error instanceof RoomError) return error;
  return new RoomError('MEDIA_ERROR', `${context}: ${error instanceof Error ? error.message : String(error)}`);
}
