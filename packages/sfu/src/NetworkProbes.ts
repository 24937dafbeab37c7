import { NETWORK_LEGS, TandemError, type NetworkLeg, type ProbeEcho, type ProbeLeg, type ProbeTransportOptions } from '@tandem/protocol';
import type { types } from 'mediasoup';
import { mediaCall, notFound, requireId, requireObject } from './mediaErrors.js';
import type { WorkerSlot } from './WorkerPool.js';

/** Whatever signaling does, a probe's transports are gone after this long. */
const PROBE_TTL_MS = 20_000;
/** Probes at once on one node: a test is cheap, a flood of them is not. */
const MAX_PROBES = 64;
/** A probe echoes a few hundred KiB for at most a few seconds; cap what one browser may push. */
const PROBE_MAX_INCOMING_BITRATE = 8_000_000;
/** SCTP streams each way; the browser needs one. */
const SCTP_STREAMS = 16;
/** An echo not sent within this long is dropped, never retransmitted late. */
const ECHO_LIFETIME_MS = 100;

interface Probe {
  router: types.Router;
  /** send transport id → its leg's recv transport (where the echo goes). */
  echoTo: Map<string, types.WebRtcTransport>;
  transports: Map<string, types.WebRtcTransport>;
  timer: NodeJS.Timeout;
}

/**
 * Pre-call network tests on one SFU node: per probe, a router with no media codecs and,
 * per leg, a send and a recv WebRTC transport with SCTP on the worker's WebRtcServer —
 * the very ports a call uses. Every message the browser sends is echoed straight back
 * by a data consumer (unordered, no retransmits), so the browser times and counts them.
 */
export class NetworkProbes {
  readonly #probes = new Map<string, Probe>();

  constructor(
    private readonly pickSlot: () => WorkerSlot,
    private readonly ttlMs = PROBE_TTL_MS,
  ) {}

  get size(): number {
    return this.#probes.size;
  }

  async open(probeIdIn: unknown, legsIn: unknown): Promise<{ legs: ProbeLeg[] }> {
    const probeId = requireId(probeIdIn, 'probeId');
    const legs = requireLegs(legsIn);
    if (this.#probes.has(probeId)) throw new TandemError('BAD_STATE', `probe ${probeId} is already open`);
    if (this.#probes.size >= MAX_PROBES) throw new TandemError('NO_CAPACITY', 'too many network tests at once');
    const slot = this.pickSlot();
    const router = await mediaCall(() => slot.worker.createRouter({ mediaCodecs: [], appData: { probeId } }));
    const probe: Probe = { router, echoTo: new Map(), transports: new Map(), timer: setTimeout(() => this.close(probeId), this.ttlMs) };
    probe.timer.unref();
    this.#probes.set(probeId, probe);
    // A worker dying takes the router with it; forget the probe then too.
    router.observer.once('close', () => {
      clearTimeout(probe.timer);
      if (this.#probes.get(probeId) === probe) this.#probes.delete(probeId);
    });
    try {
      const out: ProbeLeg[] = [];
      for (const leg of legs) {
        const send = await openProbeTransport(router, slot.webRtcServer, leg);
        const recv = await openProbeTransport(router, slot.webRtcServer, leg);
        probe.transports.set(send.id, send).set(recv.id, recv);
        probe.echoTo.set(send.id, recv);
        out.push({ leg, sendTransport: optionsOf(send), recvTransport: optionsOf(recv) });
      }
      return { legs: out };
    } catch (error) {
      this.close(probeId);
      throw error;
    }
  }

  async connect(probeId: unknown, transportId: unknown, dtlsParameters: unknown): Promise<void> {
    const transport = this.#transport(this.#probe(probeId), transportId);
    requireObject(dtlsParameters, 'dtlsParameters');
    await mediaCall(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  async echo(probeId: unknown, transportId: unknown, sctpStreamParameters: unknown, label: unknown): Promise<ProbeEcho> {
    const probe = this.#probe(probeId);
    const send = this.#transport(probe, transportId);
    const recv = probe.echoTo.get(send.id);
    if (!recv) throw new TandemError('BAD_PARAMS', 'echo needs the send transport of a leg');
    const stream = requireStream(sctpStreamParameters);
    if (label !== undefined && (typeof label !== 'string' || label.length > 64)) {
      throw new TandemError('BAD_PARAMS', 'label must be a short string');
    }
    const producer = await mediaCall(() =>
      send.produceData({
        sctpStreamParameters: stream,
        ...(label === undefined ? {} : { label }),
      }),
    );
    // Unordered and not recovered, like media: a lost message stays lost and is counted as such.
    // (mediasoup's worker reads maxRetransmits 0 as "reliable", so a short lifetime does it.)
    const consumer = await mediaCall(() =>
      recv.consumeData({ dataProducerId: producer.id, ordered: false, maxPacketLifeTime: ECHO_LIFETIME_MS }),
    );
    return {
      dataProducerId: producer.id,
      echo: {
        id: consumer.id,
        dataProducerId: producer.id,
        sctpStreamParameters: consumer.sctpStreamParameters,
        label: consumer.label,
        protocol: consumer.protocol,
      },
    };
  }

  close(probeIdIn: unknown): void {
    const probeId = requireId(probeIdIn, 'probeId');
    const probe = this.#probes.get(probeId);
    if (!probe) return;
    this.#probes.delete(probeId);
    clearTimeout(probe.timer);
    probe.router.close();
  }

  closeAll(): void {
    for (const probeId of [...this.#probes.keys()]) this.close(probeId);
  }

  #probe(probeId: unknown): Probe {
    const probe = this.#probes.get(requireId(probeId, 'probeId'));
    if (!probe) throw notFound('probe', probeId);
    return probe;
  }

  #transport(probe: Probe, transportId: unknown): types.WebRtcTransport {
    const transport = probe.transports.get(requireId(transportId, 'transportId'));
    if (!transport) throw notFound('transport', transportId);
    return transport;
  }
}

function requireLegs(value: unknown): NetworkLeg[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > NETWORK_LEGS.length) {
    throw new TandemError('BAD_PARAMS', `legs must list 1 to ${NETWORK_LEGS.length} of ${NETWORK_LEGS.join(', ')}`);
  }
  const legs = new Set<NetworkLeg>();
  for (const leg of value) {
    if (!(NETWORK_LEGS as readonly unknown[]).includes(leg)) throw new TandemError('BAD_PARAMS', `unknown leg ${String(leg)}`);
    legs.add(leg as NetworkLeg);
  }
  return [...legs];
}

/** The browser's side of its data channel, checked here because mediasoup takes out-of-range streams. */
function requireStream(value: unknown): types.SctpStreamParameters {
  const p = requireObject(value, 'sctpStreamParameters');
  const small = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (!small(p['streamId'], SCTP_STREAMS - 1)) throw new TandemError('BAD_PARAMS', `streamId must be 0..${SCTP_STREAMS - 1}`);
  if (p['ordered'] !== undefined && typeof p['ordered'] !== 'boolean') throw new TandemError('BAD_PARAMS', 'ordered must be a boolean');
  for (const name of ['maxPacketLifeTime', 'maxRetransmits']) {
    if (p[name] !== undefined && !small(p[name], 65535)) throw new TandemError('BAD_PARAMS', `${name} must be 0..65535`);
  }
  return {
    streamId: p['streamId'] as number,
    ...(p['ordered'] === undefined ? {} : { ordered: p['ordered'] as boolean }),
    ...(p['maxPacketLifeTime'] === undefined ? {} : { maxPacketLifeTime: p['maxPacketLifeTime'] as number }),
    ...(p['maxRetransmits'] === undefined ? {} : { maxRetransmits: p['maxRetransmits'] as number }),
  };
}

/**
 * The udp and tcp legs offer candidates of that protocol only, so the browser can only
 * connect the way it names; the relay leg offers all (the TURN server picks).
 */
async function openProbeTransport(
  router: types.Router,
  webRtcServer: types.WebRtcServer,
  leg: NetworkLeg,
): Promise<types.WebRtcTransport> {
  const transport = await mediaCall(() =>
    router.createWebRtcTransport({
      webRtcServer,
      enableUdp: leg !== 'tcp',
      enableTcp: leg !== 'udp',
      preferUdp: true,
      enableSctp: true,
      numSctpStreams: { OS: SCTP_STREAMS, MIS: SCTP_STREAMS },
      maxSctpMessageSize: 16 * 1024,
      appData: { probe: leg },
    }),
  );
  await mediaCall(() => transport.setMaxIncomingBitrate(PROBE_MAX_INCOMING_BITRATE)).catch(() => undefined);
  return transport;
}

function optionsOf(transport: types.WebRtcTransport): ProbeTransportOptions {
  return {
    id: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
    sctpParameters: transport.sctpParameters,
  };
}
