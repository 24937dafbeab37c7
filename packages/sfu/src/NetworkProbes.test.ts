import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeLeg } from '@tandem/protocol';
import { codeOf } from '@tandem/protocol/testkit';
import { createSfuNode, type SfuNode } from './index.js';

type Candidate = { protocol: string };
const protocols = (leg: ProbeLeg, side: 'sendTransport' | 'recvTransport'): string[] =>
  [...new Set((leg[side].iceCandidates as Candidate[]).map((c) => c.protocol))].sort();

describe('SfuNode network-test probes', () => {
  let node: SfuNode;
  beforeAll(async () => {
    node = await createSfuNode({ nodeId: 'probe-test', numWorkers: 1, rtcPort: 0 });
  });
  afterAll(() => node?.close());

  it('opens one SCTP-enabled transport pair per leg, offering only that leg\'s protocol', async () => {
    const { legs } = await node.request('openProbe', { probeId: 'p1', legs: ['udp', 'tcp', 'relay'] });
    expect(legs.map((l) => l.leg)).toEqual(['udp', 'tcp', 'relay']);
    expect(protocols(legs[0]!, 'sendTransport')).toEqual(['udp']);
    expect(protocols(legs[1]!, 'recvTransport')).toEqual(['tcp']);
    expect(protocols(legs[2]!, 'sendTransport')).toEqual(['tcp', 'udp']);
    for (const leg of legs) expect(leg.sendTransport.sctpParameters).toMatchObject({ port: 5000 });
    expect((await node.nodeStats()).rooms).toBe(0); // probes are not calls
    await node.request('closeProbe', { probeId: 'p1' });
    expect(await codeOf(node.request('connectProbe', { probeId: 'p1', transportId: legs[0]!.sendTransport.id, dtlsParameters: {} }))).toBe('NOT_FOUND');
  });

  it('echoes a data producer through the leg\'s recv transport, unordered and never recovered late', async () => {
    const { legs } = await node.request('openProbe', { probeId: 'p2', legs: ['udp'] });
    const leg = legs[0]!;
    const echo = await node.request('echoProbe', {
      probeId: 'p2',
      transportId: leg.sendTransport.id,
      sctpStreamParameters: { streamId: 0, ordered: false, maxRetransmits: 0 },
      label: 'probe',
    });
    expect(echo.echo.dataProducerId).toBe(echo.dataProducerId);
    expect(echo.echo.sctpStreamParameters).toMatchObject({ ordered: false, maxPacketLifeTime: 100 });
    // The recv transport is not a send side.
    expect(await codeOf(node.request('echoProbe', {
      probeId: 'p2', transportId: leg.recvTransport.id, sctpStreamParameters: { streamId: 1 },
    }))).toBe('BAD_PARAMS');
    await node.request('closeProbe', { probeId: 'p2' });
  });

  it('answers bad input with typed errors and keeps serving', async () => {
    const bad = (params: unknown) => codeOf(node.request('openProbe', params as never));
    expect(await bad({ probeId: '', legs: ['udp'] })).toBe('BAD_PARAMS');
    expect(await bad({ probeId: 'x', legs: [] })).toBe('BAD_PARAMS');
    expect(await bad({ probeId: 'x', legs: ['carrier-pigeon'] })).toBe('BAD_PARAMS');
    expect(await bad({ probeId: 'x', legs: 'udp' })).toBe('BAD_PARAMS');
    expect(await bad({ probeId: { $gt: '' }, legs: ['udp'] })).toBe('BAD_PARAMS');
    await node.request('openProbe', { probeId: 'dup', legs: ['udp'] });
    expect(await bad({ probeId: 'dup', legs: ['udp'] })).toBe('BAD_STATE');
    const { legs } = await node.request('openProbe', { probeId: 'p3', legs: ['udp'] });
    const transportId = legs[0]!.sendTransport.id;
    expect(await codeOf(node.request('echoProbe', { probeId: 'p3', transportId, sctpStreamParameters: 'nope' }))).toBe('BAD_PARAMS');
    expect(await codeOf(node.request('echoProbe', { probeId: 'p3', transportId, sctpStreamParameters: { streamId: 99999 } }))).toBe('BAD_PARAMS');
    expect(await codeOf(node.request('connectProbe', { probeId: 'p3', transportId, dtlsParameters: { role: 'x', fingerprints: 7 } }))).toBe('BAD_PARAMS');
    await node.request('closeProbe', { probeId: 'nothing-here' }); // closing twice or never opened is fine
    await node.request('closeProbe', { probeId: 'dup' });
    await node.request('closeProbe', { probeId: 'p3' });
    expect((await node.request('openProbe', { probeId: 'after', legs: ['tcp'] })).legs).toHaveLength(1);
    await node.request('closeProbe', { probeId: 'after' });
  });
});
