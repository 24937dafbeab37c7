import { describe, expect, it } from 'vitest';
import { mediaProfileFromUrl } from './mediaProfile.js';

describe('mediaProfileFromUrl', () => {
  it('turns ?media=plain into the plain profile and leaves anything else at the default', () => {
    expect(mediaProfileFromUrl('?media=plain')).toEqual({ mediaProfile: 'plain' });
    expect(mediaProfileFromUrl('?lang=zh-CN&media=plain')).toEqual({ mediaProfile: 'plain' });
    for (const search of ['', '?media=tandem', '?media=PLAIN', '?media=%', '?media']) expect(mediaProfileFromUrl(search)).toEqual({});
  });
});
