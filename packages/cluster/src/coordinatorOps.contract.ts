import { describe, expect, it } from 'vitest';
import type { Coordinator, SfuNodeHeartbeat } from './CoordinatorTypes.js';

/** Contract cases for drain requests, moving rooms and rosters (see coordinator.contract.ts). */
export type MakeCoordinator = (clock: { now: number }) => Promise<Coordinator>;
export type NodeOf = (nodeId: string, consumers?: number, state?: SfuNodeHeartbeat['state']) => SfuNodeHeartbeat;

export function nodeStateContract(make: MakeCoordinator, node: NodeOf): void {
  describe('node state requests and the registry', () => {
    it('hands a requested state to the node in its heartbeat replies until ops changes it', async () => {
      const c = await make({ now: 1_000 });
      expect(await c.heartbeat(node('a'))).toEqual({ requestedState: null });
      await c.requestNodeState('a', 'DRAINING');
      await c.requestNodeState('b', 'DRAINING'); // b is away right now
      expect(await c.heartbeat(node('a'))).toEqual({ requestedState: 'DRAINING' });
      expect(await c.heartbeat(node('a', 0, 'DRAINING'))).toEqual({ requestedState: 'DRAINING' });
      await c.removeNode('a'); // briefly gone (restart): the request outlives its record
      expect(await c.heartbeat(node('a'))).toEqual({ requestedState: 'DRAINING' });
      expect(await c.heartbeat(node('b'))).toEqual({ requestedState: 'DRAINING' });
      expect(await c.heartbeat(node('c'))).toEqual({ requestedState: null });
      await c.requestNodeState('a', 'SERVING');
      expect(await c.heartbeat(node('a'))).toEqual({ requestedState: 'SERVING' });
      // Ops see what they asked for next to what the node reports.
      await c.requestNodeState('b', 'DRAINING');
      const listed = await c.listNodes();
      expect(listed.find((n) => n.nodeId === 'b')).toMatchObject({ state: 'SERVING', requestedState: 'DRAINING' });
      expect(listed.find((n) => n.nodeId === 'c')?.requestedState).toBeUndefined();
      await c.close();
    });

    it('lists live nodes with every field of their last heartbeat', async () => {
      const clock = { now: 5_000 };
      const c = await make(clock);
      const sent: SfuNodeHeartbeat = {
        nodeId: 'sfu-7',
        controlUrl: 'ws://10.0.0.7:4443/control',
        state: 'STARTING',
        maxConsumers: 800,
        load: { rooms: 3, peers: 7, consumers: 21, cpu: 0.37, bitrateBps: 12_500_000 },
      };
      await c.heartbeat(sent);
      clock.now = 6_500;
      expect(await c.listNodes()).toEqual([{ ...sent, updatedAt: 5_000 }]);
      await c.removeNode('sfu-7');
      expect(await c.listNodes()).toEqual([]);
      await c.close();
    });

    it('never gives a new room to a draining node, whether it says so or ops asked for it', async () => {
      const c = await make({ now: 1_000 });
      await c.heartbeat(node('a', 0));
      expect((await c.placeRoom('old')).nodeId).toBe('a');
      await c.requestNodeState('a', 'DRAINING'); // a has not echoed it in a heartbeat yet
      await c.heartbeat(node('b', 90));
      for (let i = 0; i < 5; i++) expect((await c.placeRoom(`new-${i}`)).nodeId).toBe('b');
      await c.heartbeat(node('b', 0, 'DRAINING'));
      await expect(c.placeRoom('late')).rejects.toMatchObject({ code: 'NO_CAPACITY' });
      expect(await c.getPlacement('late')).toBeNull();
      // A room already there stays until it is moved: draining is not dying.
      expect((await c.placeRoom('old')).nodeId).toBe('a');
      await c.close();
    });

    it('spreads a burst of placements over equally loaded nodes before their next heartbeat', async () => {
      const c = await make({ now: 1_000 });
      for (const id of ['a', 'b', 'c']) await c.heartbeat(node(id, 10));
      const counts = new Map<string, number>();
      for (let i = 0; i < 9; i++) {
        const { nodeId } = await c.placeRoom(`burst-${i}`);
        counts.set(nodeId, (counts.get(nodeId) ?? 0) + 1);
      }
      expect([...counts.values()]).toEqual([3, 3, 3]);
      await c.close();
    });
  });
}

export function movePlacementContract(make: MakeCoordinator, node: NodeOf): void {
  describe('movePlacement', () => {
    it('moves a room off its node onto the least-loaded other node, even if the old one is idler', async () => {
      const clock = { now: 1_000 };
      const c = await make(clock);
      await c.heartbeat(node('a', 0));
      const before = await c.placeRoom('r');
      expect(before.nodeId).toBe('a');
      await c.heartbeat(node('b', 60));
      await c.heartbeat(node('c', 30));
      clock.now = 1_500;
      const moved = await c.movePlacement('r', 'a');
      expect(moved).toEqual({ roomId: 'r', nodeId: 'c', placedAt: 1_500 });
      expect(await c.getPlacement('r')).toEqual(moved);
      await c.close();
    });

    it('returns the newer placement when someone moved the room already', async () => {
      const clock = { now: 1_000 };
      const c = await make(clock);
      await c.heartbeat(node('a', 0));
      await c.placeRoom('r');
      await c.heartbeat(node('b', 10));
      await c.heartbeat(node('c', 20));
      const racing = await Promise.all(Array.from({ length: 20 }, () => c.movePlacement('r', 'a')));
      expect(new Set(racing.map((p) => `${p.nodeId}@${p.placedAt}`)).size).toBe(1);
      clock.now = 2_000;
      // A late mover that still believes the room is on a: the claim on b is kept as is.
      expect(await c.movePlacement('r', 'a')).toEqual(racing[0]);
      expect(await c.movePlacement('r', 'c')).toEqual(racing[0]);
      expect(await c.getPlacement('r')).toEqual(racing[0]);
      await c.close();
    });

    it('claims a node for a room that has none, never the one it is moving off', async () => {
      const c = await make({ now: 1_000 });
      await c.heartbeat(node('a', 0));
      await c.heartbeat(node('b', 50));
      expect((await c.movePlacement('fresh', 'a')).nodeId).toBe('b');
      await c.close();
    });

    it('refuses with NO_CAPACITY and keeps the old claim when no other node can take it', async () => {
      const c = await make({ now: 1_000 });
      await c.heartbeat(node('a', 0));
      await c.heartbeat(node('full', 100));
      await c.heartbeat(node('leaving', 0, 'DRAINING'));
      const before = await c.placeRoom('r');
      await expect(c.movePlacement('r', 'a')).rejects.toMatchObject({ code: 'NO_CAPACITY' });
      expect(await c.getPlacement('r')).toEqual(before);
      await c.close();
    });
  });
}

export function rosterContract(make: MakeCoordinator): void {
  describe('rosters', () => {
    it('keeps each room and generation apart', async () => {
      const c = await make({ now: 1_000 });
      await c.rosterPut('r', 'g1', 'peer-1', '{"name":"Ana"}');
      await c.rosterPut('r', 'g1', 'peer-2', '{"name":"Bo"}');
      await c.rosterPut('r', 'g2', 'peer-3', '{"name":"Cy"}');
      await c.rosterPut('other', 'g1', 'peer-9', '{}');
      await c.rosterPut('r', 'g1', 'peer-1', '{"name":"Ana M."}');
      expect(await c.rosterList('r', 'g1')).toEqual({ 'peer-1': '{"name":"Ana M."}', 'peer-2': '{"name":"Bo"}' });
      expect(await c.rosterList('r', 'g2')).toEqual({ 'peer-3': '{"name":"Cy"}' });
      await c.rosterDelete('r', 'g1', 'peer-2');
      await c.rosterDelete('r', 'g1', 'never-there');
      expect(await c.rosterList('r', 'g1')).toEqual({ 'peer-1': '{"name":"Ana M."}' });
      expect(await c.rosterList('other', 'g1')).toEqual({ 'peer-9': '{}' });
      expect(await c.rosterList('r', 'g3')).toEqual({});
      await c.close();
    });
  });
}
