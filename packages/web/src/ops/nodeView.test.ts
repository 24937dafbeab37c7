import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/language.js';
import { bitrateText, describeNode, opsReason, type Text } from './nodeView.js';
import type { OpsNode } from './OpsTypes.js';
import { OpsApiError } from './OpsApi.js';

const base: OpsNode = {
  nodeId: 'sfu-a', state: 'SERVING', controlUrl: 'ws://h/control', updatedAt: 1, ageMs: 1_234,
  load: { rooms: 3, peers: 7, consumers: 12, cpu: 0.426, bitrateBps: 2_460_000 }, maxConsumers: 500,
};
const en = (text: Text): string => translate('en', text.key, text.vars);
const zh = (text: Text): string => translate('zh-CN', text.key, text.vars);

describe('describeNode', () => {
  it('shows what an operator reads off a serving node, in both languages', () => {
    const view = describeNode(base);
    expect([view.rooms, view.peers]).toEqual(['3', '7']);
    expect(en(view.stateText)).toBe('Serving');
    expect(en(view.age)).toBe('1.2 s ago');
    expect(en(view.consumers)).toBe('12 of 500');
    expect(en(view.cpu)).toBe('43 %');
    expect(en(view.bitrate)).toBe('2.5 Mbps');
    expect(zh(view.stateText)).toBe('服务中');
    expect(zh(view.age)).toBe('1.2 秒前');
    expect(view.pending).toBeNull();
    expect(view.action).toBe('drain');
  });

  it('offers resume for a draining node, and shows a pending request until the node takes it', () => {
    expect(describeNode({ ...base, state: 'DRAINING' }).action).toBe('resume');
    const asked = describeNode({ ...base, requestedState: 'DRAINING' });
    expect(en(asked.stateText)).toBe('Serving');
    expect(asked.pending && en(asked.pending)).toBe('drain requested');
    expect(asked.action).toBe('resume'); // a drain already asked for can be called off, not asked again
    const back = describeNode({ ...base, state: 'DRAINING', requestedState: 'SERVING' });
    expect(back.pending && en(back.pending)).toBe('resume requested');
    expect(back.action).toBe('drain');
    expect(describeNode({ ...base, state: 'DRAINING', requestedState: 'DRAINING' }).pending).toBeNull();
  });

  it('never shows nonsense for odd figures', () => {
    const view = describeNode({ ...base, ageMs: -50, load: { rooms: -1, peers: Number.NaN, consumers: 2.6, cpu: 3, bitrateBps: -5 } });
    expect([view.rooms, view.peers]).toEqual(['0', '0']);
    expect(en(view.age)).toBe('0.0 s ago');
    expect(en(view.consumers)).toBe('3 of 500');
    expect(en(view.cpu)).toBe('100 %');
    expect(en(view.bitrate)).toBe('0 kbps');
  });
});

describe('bitrateText', () => {
  it('uses kbps below a megabit and Mbps above', () => {
    expect(en(bitrateText(640_000))).toBe('640 kbps');
    expect(en(bitrateText(999_499))).toBe('999 kbps');
    expect(en(bitrateText(1_000_000))).toBe('1.0 Mbps');
    expect(en(bitrateText(42_300_000))).toBe('42 Mbps');
  });
});

describe('opsReason', () => {
  it('says what a refusal means on this page', () => {
    const unauthorized = new OpsApiError('UNAUTHORIZED', 'x');
    const notFound = new OpsApiError('NOT_FOUND', 'x');
    expect(opsReason(unauthorized, 'list')).toBe('OPS_TOKEN_REJECTED');
    expect(opsReason(notFound, 'list')).toBe('OPS_DISABLED');
    expect(opsReason(notFound, 'change')).toBe('OPS_NODE_GONE');
    expect(opsReason(new OpsApiError('COORDINATION_UNAVAILABLE', 'x'), 'list')).toBe('COORDINATION_UNAVAILABLE');
    expect(opsReason(new Error('boom'), 'change')).toBe('INTERNAL');
  });
});
