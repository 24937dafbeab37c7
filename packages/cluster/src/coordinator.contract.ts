import { describe, expect, it } from 'vitest';
import type { Coordinator, SfuNodeHeartbeat } from './CoordinatorTypes.js';
import { movePlacementContract, nodeStateContract, rosterContract } from './coordinatorOps.contract.js';

/**
 * The behaviour every Coordinator must have. The in-memory implementation runs it
 * today; the Redis implementation must pass the very same suite.
 */
export function coordinatorContract(
  name: string,
  make: (clock: { now: number }) => Promise<Coordinator>,
): void {
  const node = (nodeId: string, consumers = 0, state: SfuNodeHeartbeat['state'] = 'SERVING'): SfuNodeHeartbeat => ({
    nodeId,
    controlUrl: `local:${nodeId}`,
    state,
    maxConsumers: 100,
    load: { rooms: 0, peers: 0, consumers, cpu: 0, bitrateBps: 0 },
  });

  const until = async (done: () => boolean): Promise<void> => {
    for (let waited = 0; !done() && waited < 2_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  };

  describe(`${name} coordinator contract`, () => {
    it('places a room on the least-loaded serving node and keeps it there', async () => {
      const clock = { now: 1_000 };
      const c = await make(clock);
      await c.heartbeat(node('busy', 80));
      await c.heartbeat(node('idle', 5));
      await c.heartbeat(node('draining', 0, 'DRAINING'));
      const first = await c.placeRoom('room-1');
      expect(first.nodeId).toBe('idle');
      await c.heartbeat(node('idle', 99));
      expect((await c.placeRoom('room-1')).nodeId).toBe('idle');
      await c.close();
    });

    it('gives racing placements of one room a single answer', async () => {
      const c = await make({ now: 1_000 });
      for (let i = 0; i < 4; i++) await c.heartbeat(node(`n${i}`, i));
      const answers = await Promise.all(Array.from({ length: 50 }, () => c.placeRoom('race')));
      expect(new Set(answers.map((a) => a.nodeId)).size).toBe(1);
      await c.close();
    });

    it('re-places a room whose node stopped heartbeating, and ignores dead nodes', async () => {
      const clock = { now: 1_000 };
      const c = await make(clock);
      await c.heartbeat(node('a', 0));
      expect((await c.placeRoom('r')).nodeId).toBe('a');
      clock.now += 3_000;
      await c.heartbeat(node('b', 50));
      clock.now += 4_000; // a is now 7 s old: dead
      expect((await c.listNodes()).map((n) => n.nodeId)).toEqual(['b']);
      expect((await c.placeRoom('r')).nodeId).toBe('b');
      await c.close();
    });

    it('refuses with NO_CAPACITY when no node can serve', async () => {
      const c = await make({ now: 1_000 });
      await c.heartbeat(node('full', 100));
      await c.heartbeat(node('leaving', 0, 'DRAINING'));
      await expect(c.placeRoom('r')).rejects.toMatchObject({ code: 'NO_CAPACITY' });
      await c.close();
    });

    it('releases a claim only for its holder', async () => {
      const c = await make({ now: 1_000 });
      await c.heartbeat(node('a'));
      await c.placeRoom('r');
      await c.releaseRoom('r', 'someone-else');
      expect(await c.getPlacement('r')).toMatchObject({ nodeId: 'a' });
      await c.releaseRoom('r', 'a');
      expect(await c.getPlacement('r')).toBeNull();
      await c.close();
    });

    it('delivers published messages to subscribers until they unsubscribe', async () => {
      const c = await make({ now: 1_000 });
      const got: unknown[] = [];
      const unsubscribe = await c.subscribe('room:r', (m) => got.push(m));
      await c.publish('room:other', { n: 0 });
      await c.publish('room:r', { n: 1, text: 'hé', list: [1, null] });
      await until(() => got.length > 0);
      await unsubscribe();
      await c.publish('room:r', { n: 3 });
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([{ n: 1, text: 'hé', list: [1, null] }]);
      await c.close();
    });

    it('refuses bad input with BAD_PARAMS and changes nothing', async () => {
      const c = await make({ now: 1_000 });
      await c.heartbeat(node('a'));
      const garbage = { ...node('b'), load: { rooms: 0, consumers: 'many' } } as unknown as SfuNodeHeartbeat;
      await expect(c.heartbeat(garbage)).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      await expect(c.placeRoom('')).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      await expect(c.requestNodeState('a', 'GONE' as 'DRAINING')).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      await expect(c.rosterPut('r', 'g1', 'p1', 42 as unknown as string)).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      await expect(c.publish('room:r', undefined)).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      expect((await c.listNodes()).map((n) => n.nodeId)).toEqual(['a']);
      expect((await c.heartbeat(node('a'))).requestedState).toBeNull();
      expect(await c.rosterList('r', 'g1')).toEqual({});
      expect(c.available).toBe(true);
      await c.close();
    });
  });

  nodeStateContract(make, node);
  movePlacementContract(make, node);
  rosterContract(make);
}
