import { seededRandom } from './netem/random.js';
/**
 * Seeded generation of hostile signaling frames: valid requests mutated field by field,
 * wrong types, prototype keys, huge and odd values, and raw broken text. Deterministic
 * for a seed, so a failure can be replayed.
 */

const SEEDS: Record<string, unknown>[] = [
  { method: 'join', params: { protocolVersion: 1, token: 'x'.repeat(40) } },
  { method: 'setRtpCapabilities', params: { rtpCapabilities: { codecs: [] } } },
  { method: 'connectTransport', params: { transportId: 'abc', dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] } } },
  { method: 'restartIce', params: { transportId: 'abc' } },
  { method: 'produce', params: { transportId: 'abc', kind: 'video', source: 'camera', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] } } },
  { method: 'closeProducer', params: { producerId: 'p1' } },
  { method: 'pauseProducer', params: { producerId: 'p1' } },
  { method: 'consume', params: { producerId: 'p1' } },
  { method: 'resumeConsumer', params: { consumerId: 'c1' } },
  { method: 'sendChat', params: { text: 'hello', clientMessageId: 'fz' } },
  { method: 'requestScreen' },
  { method: 'answerScreenRequest', params: { requestId: 'r1', accepted: true } },
  { method: 'endSession' },
];

const ODD_VALUES: unknown[] = [
  null, true, -1, 0, 1e308, -0, 'x', '', '\u0000', '💥'.repeat(50), [], [[[]]], {}, { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } }, Number.MAX_SAFE_INTEGER + 2, 'a'.repeat(5000),
];

export type FuzzFrame = { kind: 'json'; frame: Record<string, unknown> } | { kind: 'text'; text: string };

export function fuzzFrames(seed: number, count: number): FuzzFrame[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const frames: FuzzFrame[] = [];
  for (let i = 0; i < count; i++) {
    const base = structuredClone(pick(SEEDS));
    const roll = rnd();
    if (roll < 0.1) {
      const text = JSON.stringify(base);
      frames.push({ kind: 'text', text: text.slice(0, Math.floor(rnd() * text.length)) + pick(['', '}', ']]', '\\', '\u0000']) });
      continue;
    }
    if (roll < 0.2) {
      base.method = pick(['', 'JOIN', 'join ', '__proto__', 'constructor', 'toString', 'x'.repeat(70), 42, null]);
    } else if (roll < 0.3) {
      base.params = pick(ODD_VALUES);
    } else {
      mutate(base, rnd, pick);
    }
    if (rnd() < 0.05) base.id = pick([-1, 1.5, '7', null, 2 ** 60]);
    if (rnd() < 0.05) base.extra = pick(ODD_VALUES);
    frames.push({ kind: 'json', frame: base });
  }
  return frames;
}

function mutate(value: Record<string, unknown>, rnd: () => number, pick: <T>(xs: readonly T[]) => T): void {
  const params = value.params;
  if (!params || typeof params !== 'object') return;
  const p = params as Record<string, unknown>;
  const keys = Object.keys(p);
  const op = rnd();
  if (keys.length > 0 && op < 0.35) {
    p[pick(keys)] = pick(ODD_VALUES);
  } else if (keys.length > 0 && op < 0.55) {
    delete p[pick(keys)];
  } else if (op < 0.7) {
    p[pick(['__proto__', 'constructor', 'extra', 'peerId', 'role'])] = pick(ODD_VALUES);
  } else if (keys.length > 0) {
    const k = pick(keys);
    const inner = p[k];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const innerKeys = Object.keys(inner);
      if (innerKeys.length) (inner as Record<string, unknown>)[pick(innerKeys)] = pick(ODD_VALUES);
    } else if (typeof inner === 'string') {
      p[k] = inner + pick(['../', '"', "'", '<script>', ' '.repeat(3), '\n']);
    }
  }
}
