import { describe, expect, it } from 'vitest';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import type { types } from 'mediasoup-client';
import { isMediaProfile, producerOptions, tuneSender } from './mediaProfile.js';

const track = (kind: 'audio' | 'video'): MediaStreamTrack => new FakeMediaStreamTrack({ kind }) as unknown as MediaStreamTrack;

describe('media profiles', () => {
  it("'plain' produces as a bare mediasoup-client app: no encodings, codec options or content hint", () => {
    const screen = track('video');
    screen.contentHint = 'detail';
    for (const [source, t] of [['camera', track('video')], ['mic', track('audio')], ['screen', screen]] as const) {
      const options = producerOptions('plain', source, t);
      expect(options).toEqual({ track: t, stopTracks: false, appData: { source } });
    }
    expect(screen.contentHint).toBe('');
  });

  it("'tandem' keeps Tandem's tuning: 3 camera layers, opus FEC, a high-priority sharp screen", () => {
    expect(producerOptions('tandem', 'camera', track('video')).encodings).toHaveLength(3);
    expect(producerOptions('tandem', 'mic', track('audio')).codecOptions).toMatchObject({ opusFec: true });
    const screen = track('video');
    expect(producerOptions('tandem', 'screen', screen).encodings).toEqual([expect.objectContaining({ priority: 'high' })]);
    expect(screen.contentHint).toBe('detail');
  });

  it('asks the screen sender to keep its resolution, and survives a browser that refuses', async () => {
    let set: RTCRtpSendParameters | undefined;
    const sender = { getParameters: () => ({ encodings: [] }), setParameters: async (p: RTCRtpSendParameters) => void (set = p) };
    await tuneSender('tandem', 'screen', { rtpSender: sender } as unknown as types.Producer);
    expect(set).toMatchObject({ degradationPreference: 'maintain-resolution' });
    set = undefined;
    await tuneSender('plain', 'screen', { rtpSender: sender } as unknown as types.Producer);
    await tuneSender('tandem', 'camera', { rtpSender: sender } as unknown as types.Producer);
    expect(set).toBeUndefined();
    const refusing = { getParameters: () => ({}), setParameters: () => Promise.reject(new Error('InvalidModificationError')) };
    await expect(tuneSender('tandem', 'screen', { rtpSender: refusing } as unknown as types.Producer)).resolves.toBeUndefined();
    await expect(tuneSender('tandem', 'screen', {} as types.Producer)).resolves.toBeUndefined();
  });

  it('knows its profiles and nothing else', () => {
    expect(['tandem', 'plain', 'fast', 1, null].map(isMediaProfile)).toEqual([true, true, false, false, false]);
  });
});
