import type { MediaSource } from '@tandem/protocol';
import type { types } from 'mediasoup-client';
import type { CallLink } from './CallLink.js';
import { RoomError, type LocalPublication } from './RoomTypes.js';
import { asRoomError } from './Subscriptions.js';
import { isMediaSource, kindOf } from './publishSettings.js';

export interface PublicationEvents {
  /** The track ended on its own; the publication is already gone. */
  ended(publication: LocalPublication): void;
  error(error: RoomError): void;
}

/**
 * What this peer sends. Publications outlive links: after a reconnect the same
 * MediaStreamTrack objects are produced again on the new send transport.
 */
export class Publications {
  readonly list = new Map<MediaSource, LocalPublication>();
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #onEnded = new Map<MediaSource, () => void>();
  readonly #busy = new Set<MediaSource>();
  readonly #events: PublicationEvents;
  #link: CallLink | null = null;

  constructor(events: PublicationEvents) {
    this.#events = events;
  }

  async publish(track: MediaStreamTrack, source: MediaSource): Promise<LocalPublication> {
    if (!isMediaSource(source)) throw new RoomError('BAD_PARAMS', `unknown source ${String(source)}`);
    if (track?.kind !== kindOf(source)) throw new RoomError('BAD_PARAMS', `${source} needs a ${kindOf(source)} track`);
    if (track.readyState === 'ended') throw new RoomError('BAD_PARAMS', `the ${source} track has already ended`);
    if (this.#busy.has(source)) throw new RoomError('BAD_STATE', `${source} is already being published`);
    const existing = this.list.get(source);
    if (existing?.track === track) return existing;
    const link = this.#link;
    if (!link) throw new RoomError('CONNECTION_LOST', `cannot publish ${source} while not connected`);
    this.#busy.add(source);
    try {
      if (existing) {
        // Switching camera or mic: same producer, new track, no renegotiation.
        await this.#producers.get(source)?.replaceTrack({ track });
        this.#unwatch(source);
        existing.track = track;
        track.enabled = !existing.muted;
        this.#watch(existing);
        return existing;
      }
      const producer = await link.produce(track, source, false);
      if (this.#link !== link) throw new RoomError('CONNECTION_LOST', `connection dropped while publishing ${source}`);
      const publication: LocalPublication = { producerId: producer.id, source, track, muted: false };
      this.list.set(source, publication);
      this.#producers.set(source, producer);
      this.#watch(publication);
      return publication;
    } catch (error) {
      throw asRoomError(error, `cannot publish ${source}`);
    } finally {
      this.#busy.delete(source);
    }
  }

  /** Stops sending `source`. The track is stopped too unless `stopTrack` is false. */
  async unpublish(source: MediaSource, stopTrack = true): Promise<void> {
    const publication = this.list.get(source);
    if (!publication) return;
    const producer = this.#producers.get(source);
    this.#unwatch(source);
    this.list.delete(source);
    this.#producers.delete(source);
    producer?.close();
    if (stopTrack) publication.track.stop();
    if (producer && this.#link) await tolerateDrop(this.#link.channel.request('closeProducer', { producerId: producer.id }));
  }

  async setMuted(source: MediaSource, muted: boolean): Promise<void> {
    const publication = this.list.get(source);
    if (!publication) throw new RoomError('NOT_FOUND', `${String(source)} is not published`);
    if (typeof muted !== 'boolean') throw new RoomError('BAD_PARAMS', 'muted must be a boolean');
    publication.muted = muted;
    // Locally first: a mute must take effect at once, whatever the network does.
    publication.track.enabled = !muted;
    const producer = this.#producers.get(source);
    if (!producer || !this.#link) return; // applied when the next link republishes
    if (muted) producer.pause();
    else producer.resume();
    const method = muted ? 'pauseProducer' : 'resumeProducer';
    await tolerateDrop(this.#link.channel.request(method, { producerId: producer.id }));
  }

  /** Adopts a new link and produces every publication on it again. */
  async attach(link: CallLink): Promise<void> {
    this.#link = link;
    for (const publication of [...this.list.values()]) {
      if (publication.track.readyState === 'ended') {
        this.#end(publication);
        continue;
      }
      try {
        const producer = await link.produce(publication.track, publication.source, publication.muted);
        if (this.#link !== link) return producer.close();
        publication.producerId = producer.id;
        this.#producers.set(publication.source, producer);
        // Muted or unmuted while the produce was in flight.
        if (producer.paused !== publication.muted) await this.setMuted(publication.source, publication.muted);
      } catch (error) {
        if (this.#link !== link) return;
        this.#events.error(asRoomError(error, `cannot publish ${publication.source} again`));
      }
    }
  }

  /** The link is gone (its transport closed the producers); publications stay for the next one. */
  detach(): void {
    this.#link = null;
    for (const producer of this.#producers.values()) producer.close();
    this.#producers.clear();
  }

  /** Final teardown: releases cameras and mics. */
  stopAll(): void {
    this.detach();
    for (const source of [...this.list.keys()]) this.#unwatch(source);
    for (const publication of this.list.values()) publication.track.stop();
    this.list.clear();
  }

  #watch(publication: LocalPublication): void {
    const listener = (): void => this.#end(publication);
    publication.track.addEventListener('ended', listener);
    this.#onEnded.set(publication.source, listener);
  }

  #unwatch(source: MediaSource): void {
    const listener = this.#onEnded.get(source);
    if (listener) this.list.get(source)?.track.removeEventListener('ended', listener);
    this.#onEnded.delete(source);
  }

  #end(publication: LocalPublication): void {
    if (this.list.get(publication.source) !== publication) return;
    this.unpublish(publication.source, false).catch((error: unknown) => this.#events.error(asRoomError(error, 'unpublish')));
    this.#events.ended(publication);
  }
}

/** A closeProducer/pause lost with the socket needs no retry: the next link starts fresh. */
async function tolerateDrop(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (error instanceof RoomError && error.reason === 'CONNECTION_LOST') return;
    throw error;
  }
}
